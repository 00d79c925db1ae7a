program "cov.dpl"

test "a small positive n" {
    input {"data":{"id":1,"n":5},"metadata":{"source":"a"}} -> emit {"entity":"e","source":"a","data":{"id":1}}
}

test "n must be positive" {
    input {"data":{"id":2,"n":0},"metadata":{"source":"a"}} -> reject requirement_failed
}
