# realistic.jq — bench/matrix/realistic.dpl in jq ("key" instead of "id").
def filled: . != null and . != "";
def str: if type == "string" then . else tostring end;
select(.metadata.source == "fipe")
| select((.data.codigoFipeTreated | filled) and (.metadata.input.modelo.codigo | filled)
     and (.data.valor | filled) and (.data.marcaTreated | filled))
| select(.data.ano >= 1950 and .data.ano <= 2030 and .data.valor > 0)
| .data as $d
| {entity: "fipe",
   key: [($d.marcaTreated | ascii_upcase), ($d.nome | ascii_downcase), $d.combustivelTreated, $d.ano],
   source: "fipe",
   data: ({codigoFipe: ($d.codigoFipe | gsub("[^0-9]"; "")),
           marca: ($d.marcaTreated | ascii_upcase),
           nome: $d.nome,
           combustivel: ($d.combustivelTreated | ascii_upcase),
           anoModelo: ($d.ano | tostring),
           valor: ($d.valor + 0.0),
           valorReajustado: ($d.valor * 1.1 | round),
           descricao: "\($d.marcaTreated) \($d.nomeTreated) \($d.ano)",
           referencia: $d.referencia}
          + {faixa: ((if $d.ano < 2012 then {idade: "antigo"} else {} end)
                    + (if $d.ano >= 2020 then {recencia: "recente"} else {} end)
                    + {codigoMarca: (.metadata.input.marca.codigo | str)})})}
