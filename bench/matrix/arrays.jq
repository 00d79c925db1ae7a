# arrays.jq — bench/matrix/arrays.dpl in jq.
def filled: . != null and . != "";
select(.metadata.source == "fipe")
| select((.data.valor | filled)
     and .data.marca != null and .data.nome != null and .data.combustivel != null and .data.ano != null)
| .data as $d
| [$d.historico[].valor] as $v
| {entity: "fipe", key: [$d.marca, $d.nome, $d.combustivel, $d.ano], source: "fipe",
   data: {valor: $d.valor, valores: $v, meses: [$d.historico[].mes], maximo: ($v | max), minimo: ($v | min),
          soma: ($v | add), media: (($v | add) / ($v | length)), n: ($d.historico | length),
          primeiroMes: $d.historico[0].mes, ultimoValor: $d.historico[-1].valor}}
