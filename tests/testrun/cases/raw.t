# raw.t — plain NDJSON values, wrapped as `dpl run --raw --source b` does.
program "cov.dpl"
raw
source "b"

test "raw values get an envelope with the source" {
    input {"id":1,"n":5}      -> emit {"entity":"e","source":"b","data":{"id":1}}
    input {"id":2,"n":0}      -> reject requirement_failed
    input [1]                 -> reject missing_mandatory data.id
    reject requirement_failed "a value it needs is missing"
}
