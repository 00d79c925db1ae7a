# lines.t — input lines that are not records, as `dpl run` sees them.
program "cov.dpl"

test "lines that are not records" {
    input text "{\"data\": oops}"   -> reject invalid_json "invalid token"
    input text "[1, 2]"             -> reject not_an_object
    input text "   "                # blank: not a record, but it keeps its number
    input {"data":{"id":1,"n":1},"metadata":{"source":"a"}} -> emit partial {"data":{"id":1}}
    emitted 1
    rejected 2
    skipped 0
}
