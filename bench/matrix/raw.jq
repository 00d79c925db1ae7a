# raw.jq — bench/matrix/raw.dpl in jq, on plain data objects.
def filled: . != null and . != "";
def copy($from; $to): if has($from) then {($to): .[$from]} else {} end;
select((.codigoFipeTreated | filled) and (.valor | filled) and (.marcaTreated | filled)
       and .marca != null and .nome != null and .combustivel != null and .ano != null)
| {entity: "fipe", key: [.marca, .nome, .combustivel, .ano], source: "fipe",
   data: (copy("codigoFipeTreated"; "codigoFipe") + copy("combustivelTreated"; "combustivel")
        + copy("marcaTreated"; "marca") + copy("ano"; "ano") + copy("nomeTreated"; "nome")
        + copy("valor"; "valor") + copy("referencia"; "referencia"))}
