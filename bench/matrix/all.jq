# all.jq — bench/matrix/all.dpl in jq.
def filled: . != null and . != "";
def copy($v; $to): if $v == null then {} else {($to): $v} end;
select(.metadata.source == "fipe")
| select((.data.codigoFipeTreated | filled) and (.metadata.input.modelo.codigo | filled)
     and (.data.valor | filled) and (.data.marcaTreated | filled)
     and .data.marca != null and .data.nome != null and .data.combustivel != null and .data.ano != null)
| {entity: "fipe", key: [.data.marca, .data.nome, .data.combustivel, .data.ano], source: "fipe",
   data: ((.data | del(.codigoFipe)) + copy(.data.codigoFipeTreated; "codigo")
          + copy(.data.marcaTreated; "marcaNormalizada") + copy(.data.nomeTreated; "nomeNormalizado")
          + copy(.metadata.ingestedAt; "recebidoEm"))}
