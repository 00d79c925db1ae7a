# bench/fipe.jq — examples/fipe.dpl as far as jq can express it (see bench/README.md).
# Differences from dpl: no SHA-256 in jq, so the entity's "id" is replaced by
# "key" (the four key values the id is hashed from); rejected and skipped
# records are dropped instead of being written with their reasons; jq stops
# at the first line that is not valid JSON.

# DPL `mandatory`: present, not null, not "" (jq reads a missing path as null).
def filled: . != null and . != "";

# DPL `from -> to`: copy only when the field exists (a missing value writes
# nothing; an explicit null is copied).
def copy($from; $to): if .data | has($from) then {($to): .data[$from]} else {} end;

select(.metadata.source == "fipe")
| select((.data.codigoFipeTreated | filled)
     and (.metadata.input.modelo.codigo | filled)
     and (.data.valor | filled)
     and (.data.marcaTreated | filled)
     # entity keys must be neither missing nor null
     and .data.marca != null and .data.nome != null
     and .data.combustivel != null and .data.ano != null)
| {entity: "fipe",
   key: [.data.marca, .data.nome, .data.combustivel, .data.ano],
   source: "fipe",
   data: (copy("codigoFipeTreated"; "codigoFipe")
        + copy("combustivelTreated"; "combustivel")
        + copy("marcaTreated"; "marca")
        + copy("ano"; "ano")
        + copy("nomeTreated"; "nome")
        + copy("valor"; "valor")
        + copy("referencia"; "referencia"))}
