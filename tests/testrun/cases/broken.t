# broken.t — tests written for orders.dpl's rules, run against broken.dpl.
program "broken.dpl"

test "shipping from 30 is express" {
    base {"data":{"loja":"centro","numero":"7","itens":[{"sku":"X"}]},"metadata":{"source":"loja-virtual","pedido":{}}}
    input {"data":{"frete":29.99}}   -> emit partial {"data":{"entrega":"normal"}}
    input {"data":{"frete":30}}      -> emit partial {"data":{"frete":30.0,"entrega":"expresso"}}
}

test "the coupon is upper case and the channel defaults to web" {
    input {"data":{"loja":"centro","numero":"8","itens":[{"sku":"X"}],"cupom":" natal "},"metadata":{"source":"loja-virtual","pedido":{}}}
    emit {"entity":"pedido","source":"loja-virtual","data":{"numero":8,"frete":0.0,"entrega":"normal","cupom":"NATAL","cliente":{"canal":"web"}}}
}

test "an order without items is rejected" {
    input {"data":{"loja":"centro","numero":"9","itens":[]},"metadata":{"source":"loja-virtual"}}
    reject requirement_failed "len(itens) > 0"
    reject missing_mandatory metadata.pedido.cliente
}

test "a partner's order is not ours" {
    input {"data":{"loja":"marketplace","numero":"9","itens":[{"sku":"X"}]},"metadata":{"source":"parceiro"}}
    -> emit partial {"data":{"numero":9}}
}
