# update.t — wrong expectations that `dpl test --update` rewrites; the
# result is update.expected.  Comments and layout around them stay.
program "broken.dpl"

test "exact entity, written over several lines" {
    input {"data":{"loja":"centro","numero":"8","itens":[{"sku":"X"}],"cupom":" natal "},"metadata":{"source":"loja-virtual","pedido":{"canal":"app"}}}
    emit {
        "entity": "pedido",
        "source": "loja-virtual",
        "data": {"numero": 8, "cupom": "NATAL"}
    }   # the coupon was upper case in orders.dpl
}

test "a table of cases" {
    base {"data":{"loja":"centro","numero":"7","itens":[{"sku":"X"}]},"metadata":{"source":"loja-virtual","pedido":{}}}
    input {"data":{"frete":29.99}}   -> emit partial {"data":{"entrega":"normal"}}   # holds
    input {"data":{"frete":30}}      -> emit partial {"data":{"entrega":"expresso"}} # >= 30 in orders.dpl
    input {"data":{"numero":null}}   -> emit partial {"data":{"numero":0}}
    input {"data":{"itens":[]}}
    reject missing_mandatory data.itens   # wrong code
    reject requirement_failed "len(itens) > 0"
    input {"metadata":{"source":"elsewhere"}} -> reject missing_source
}

test "counts" {
    input {"data":{"loja":"a","numero":"1","itens":[{"sku":"X"}]},"metadata":{"source":"loja-virtual"}} -> emit partial {}
    input {"data":{"loja":"a","numero":"2","itens":[]},"metadata":{"source":"loja-virtual"}} -> reject requirement_failed
    emitted 2    # one is rejected
    rejected 1
}
