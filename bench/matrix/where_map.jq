# where_map.jq — bench/matrix/where_map.dpl in jq.
def filled: . != null and . != "";
select(.metadata.source == "fipe")
| select(.data.ano >= 2015)
| select((.data.valor | filled)
     and .data.marca != null and .data.nome != null and .data.combustivel != null and .data.ano != null)
| .data as $d
| {entity: "fipe", key: [$d.marca, $d.nome, $d.combustivel, $d.ano], source: "fipe",
   data: {valor: $d.valor, meses: [$d.historico[].mes], soma: ([$d.historico[].valor] | add),
          mesesAcima: [$d.historico[] | select(.valor > 50000) | .mes],
          n: ([$d.historico[] | select(.valor > .valor - 1)] | length)}}
