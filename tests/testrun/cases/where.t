program "where.dpl"

test "only succeeded payments with an amount are kept" {
    base {"data":{"id":"p1","type":"payment.succeeded","amount":10},"metadata":{"source":"pay"}}
    input {}                                  -> emit {"entity":"pay","source":"pay","data":{"id":"p1","amount":10}}
    input {"data":{"type":"payment.failed"}}  -> skip
    input {"data":{"amount":null}}            -> skip
    input {"data":{"amount":"x"}}             -> reject type_error
}
