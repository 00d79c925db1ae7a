/* codes.h — every diagnostic code, defined once.
 * X(code, severity, title, explanation); see diag.h.
 * The explanation is a paragraph, a blank line, then an example indented by
 * four spaces; `dplc explain` prints it and docs/errors.md repeats it. */
#ifndef DPL_DIAG_CODES_H
#define DPL_DIAG_CODES_H

#define DPL_DIAG_CODES(X) \
    X(E101, DPL_SEV_ERROR, "unexpected character", \
      "The lexer found a character that cannot start any DPL token, such as `$`,\n" \
      "`@` or a stray backslash. The character is skipped and lexing carries on, so\n" \
      "later problems are still reported. Paths and names may only use letters,\n" \
      "digits and `_`; quote a field whose name has other characters.\n" \
      "\n" \
      "    add {\n" \
      "        price$ -> price          # error: `$` is not part of DPL\n" \
      "        data.\"price$\" -> price   # ok: quoted field name\n" \
      "    }\n") \
    X(E102, DPL_SEV_ERROR, "unterminated string", \
      "A string literal was opened with `\"` but the line ended before the closing\n" \
      "quote. Strings cannot span lines; write a newline inside a string as `\\n`.\n" \
      "\n" \
      "    sources \"fipe          # error: missing closing quote\n" \
      "    sources \"fipe\"         # ok\n") \
    X(E103, DPL_SEV_ERROR, "invalid escape sequence", \
      "Inside a string, a backslash must start one of the JSON escapes `\\\" \\\\ \\/ \\b\n" \
      "\\f \\n \\r \\t` or `\\uXXXX` (a surrogate pair for code points above U+FFFF).\n" \
      "Any other character after the backslash, or a lone surrogate, is an error.\n" \
      "To write a literal backslash, double it.\n" \
      "\n" \
      "    add {\n" \
      "        \"a\\qb\" -> x     # error: `\\q` is not an escape\n" \
      "        \"a\\\\qb\" -> x    # ok: a backslash followed by q\n" \
      "    }\n") \
    X(E104, DPL_SEV_ERROR, "invalid number literal", \
      "A number literal is malformed (such as `1e` or `1.`) or out of range:\n" \
      "integers must fit in a signed 64-bit value and reals must be finite doubles.\n" \
      "DPL never silently rounds or wraps a literal. Use a real (`1e20`) when a\n" \
      "value does not need to be an exact integer.\n" \
      "\n" \
      "    add {\n" \
      "        k + 99999999999999999999 -> x   # error: larger than 2^63-1\n" \
      "        k + 1e20 -> x                   # ok: a real\n" \
      "    }\n") \
    X(E201, DPL_SEV_ERROR, "unexpected token", \
      "The parser found a token where the grammar does not allow it; the message\n" \
      "says what was expected instead. The parser skips to the next item or\n" \
      "statement and carries on, so independent errors are all reported.\n" \
      "\n" \
      "    mandatory {\n" \
      "        data.valor,, data.nome    # error: expected a path, found `,`\n" \
      "    }\n") \
    X(E202, DPL_SEV_ERROR, "unclosed block", \
      "A `{` that opens an entity, mandatory, requirement or add block has no\n" \
      "matching `}` before the end of the file. The error points at the opening\n" \
      "brace; usually a closing brace is missing or a string or comment swallowed\n" \
      "it.\n" \
      "\n" \
      "    add {\n" \
      "        valor\n" \
      "    # error: end of file before the `}` of `add`\n") \
    X(E203, DPL_SEV_ERROR, "unknown statement", \
      "A program is a list of statements, each starting with one of the keywords\n" \
      "`entity`, `substitutive entity`, `sources`, `mandatory`, `requirement` or\n" \
      "`add`. Anything else at the top level is reported, with the nearest keyword\n" \
      "as a suggestion when it looks like a typo.\n" \
      "\n" \
      "    mandatry {          # error: did you mean `mandatory`?\n" \
      "        data.valor\n" \
      "    }\n") \
    X(E204, DPL_SEV_ERROR, "computed add item without `-> target`", \
      "An add item that is a plain path is written to an attribute named after the\n" \
      "path's last field. Any other expression (a calculation, a call, a literal,\n" \
      "or a path ending in an index such as `[0]`) has no natural name, so it needs\n" \
      "`-> target`.\n" \
      "\n" \
      "    add {\n" \
      "        valor                  # ok: written to `valor`\n" \
      "        valor * 2              # error: where should the result go?\n" \
      "        valor * 2 -> dobro     # ok\n" \
      "    }\n") \
    X(E301, DPL_SEV_ERROR, "no `entity` statement", \
      "Every program must declare the entity it produces with `entity \"NAME\" { keys\n" \
      "}`; without it there is no entity name and no id to emit. The error points\n" \
      "at the start of the file. It is not reported when a statement was not\n" \
      "recognised (E203): that statement may be the misspelt entity.\n" \
      "\n" \
      "    entity \"fipe\" {\n" \
      "        data.codigo\n" \
      "    }\n" \
      "    sources \"fipe\"\n") \
    X(E302, DPL_SEV_ERROR, "duplicate `entity` or `sources` statement", \
      "A program produces exactly one entity from one list of sources, so `entity`\n" \
      "and `sources` may each appear only once. The error points at the second\n" \
      "statement and a note says where the first one is. List several sources in\n" \
      "one statement, separated by commas.\n" \
      "\n" \
      "    sources \"fipe\"\n" \
      "    sources \"fipe2\"           # error: second `sources`\n" \
      "    sources \"fipe\", \"fipe2\"   # ok: one statement, two names\n") \
    X(E303, DPL_SEV_ERROR, "unknown function", \
      "The called function is not in the standard library (see the table in the\n" \
      "language reference). Function names are case-sensitive; when the name is\n" \
      "close to a known one, the nearest name is suggested.\n" \
      "\n" \
      "    requirement {\n" \
      "        lenn(data.nome) > 2   # error: did you mean `len`?\n" \
      "        len(data.nome) > 2    # ok\n" \
      "    }\n") \
    X(E304, DPL_SEV_ERROR, "wrong number of arguments", \
      "Every builtin has a fixed number of arguments (some take a range, and\n" \
      "`concat` and `coalesce` take one or more). The message gives the number\n" \
      "expected and the number given.\n" \
      "\n" \
      "    add {\n" \
      "        upper(nome, 1) -> n     # error: upper takes 1 argument\n" \
      "        upper(nome) -> n        # ok\n" \
      "    }\n") \
    X(E305, DPL_SEV_ERROR, "type mismatch", \
      "The checker infers the possible types of every expression. Paths can hold\n" \
      "any value, so they are checked when a record arrives (a `type_error`\n" \
      "reject), but when no possible value of an operand is acceptable the error\n" \
      "holds for every record and is reported at compile time. For example `-`,\n" \
      "`*`, `/` and `%` need numbers, `+` needs two numbers or two strings,\n" \
      "`and`/`or`/`not` need booleans, and builtins check their arguments.\n" \
      "`matches` also needs its regex as a string literal.\n" \
      "\n" \
      "    add {\n" \
      "        \"a\" - 1 -> x            # error: `-` needs numbers, found a string\n" \
      "        upper(42) -> y          # error: upper needs a string\n" \
      "        valor - 1 -> z          # ok: checked for each record\n" \
      "    }\n") \
    X(E306, DPL_SEV_ERROR, "attribute written twice", \
      "Two add items write the same target attribute. This is almost always a\n" \
      "mistake (the second would silently win), so it is an error unless the later\n" \
      "item says `overwrite` (replace the earlier value), or both items say\n" \
      "`append` (collect values into an array). A `delete` of the attribute in\n" \
      "between also allows writing it again; `all` does not count because its names\n" \
      "are only known at run time. Writing `x` after `x.y` counts too: `x`\n" \
      "replaces the object that holds `x.y`.\n" \
      "\n" \
      "    add {\n" \
      "        nome\n" \
      "        apelido -> nome             # error: `nome` is already written\n" \
      "        overwrite apelido -> nome   # ok: replaces it on purpose\n" \
      "    }\n") \
    X(E307, DPL_SEV_ERROR, "unknown cast type", \
      "`as` converts a value to one of the types `int`, `float`, `string` or\n" \
      "`bool`. Any other type name is reported, with the nearest valid one as a\n" \
      "suggestion.\n" \
      "\n" \
      "    add {\n" \
      "        z as number -> z    # error: did you mean `float`?\n" \
      "        z as float -> z     # ok\n" \
      "    }\n") \
    X(E308, DPL_SEV_ERROR, "`'id` used before the id is known", \
      "The meta attribute `'id` is the entity id, computed from the key values\n" \
      "after validation. Entity keys, mandatory paths and requirements run before\n" \
      "the id exists, so `'id` cannot appear there. It can be used in add items.\n" \
      "\n" \
      "    entity \"e\" { 'id }      # error: the keys define the id\n" \
      "    add { 'id -> codigo }   # ok\n") \
    X(E309, DPL_SEV_ERROR, "entity without keys", \
      "The entity id is a hash of the entity's key values; with no keys every\n" \
      "record of the entity would get the same id. List at least one key expression\n" \
      "inside the braces.\n" \
      "\n" \
      "    entity \"fipe\" { }              # error: no keys\n" \
      "    entity \"fipe\" { data.codigo }  # ok\n") \
    X(E310, DPL_SEV_ERROR, "unknown meta attribute", \
      "Meta attributes start with `'` and name facts about the record rather than\n" \
      "its data. The known ones are `'id` (the entity id), `'source` (the record's\n" \
      "source), `'entity` (the entity name) and `'line` (the input line number).\n" \
      "\n" \
      "    add {\n" \
      "        'origin -> origem    # error: did you mean `'source`?\n" \
      "        'source -> origem    # ok\n" \
      "    }\n") \
    X(E311, DPL_SEV_ERROR, "invalid regular expression", \
      "The regex argument of `matches` is compiled when the program is checked, as\n" \
      "a POSIX extended regular expression, so that a bad pattern is found before\n" \
      "any data flows. The message includes the regex library's explanation.\n" \
      "\n" \
      "    requirement {\n" \
      "        matches(placa, \"[A-Z\")          # error: unbalanced `[`\n" \
      "        matches(placa, \"^[A-Z]{3}\")     # ok\n" \
      "    }\n") \
    X(W401, DPL_SEV_WARNING, "no `sources` statement", \
      "Without a `sources` statement the program accepts records from every source,\n" \
      "which is rarely intended in a pipeline where several sources share a stream.\n" \
      "Add one to skip records from other sources; the warning does not stop the\n" \
      "program from running.\n" \
      "\n" \
      "    entity \"fipe\" { data.codigo }\n" \
      "    sources \"fipe\"     # accept only records whose metadata.source is \"fipe\"\n") \
    X(W402, DPL_SEV_WARNING, "duplicate path in `mandatory`", \
      "The same path is listed twice in `mandatory` blocks. The second listing\n" \
      "changes nothing (the field is checked once); remove it.\n" \
      "\n" \
      "    mandatory {\n" \
      "        data.valor\n" \
      "        valor          # warning: the same field as data.valor\n" \
      "    }\n") \
    X(W403, DPL_SEV_WARNING, "`delete` of an attribute never written", \
      "`delete` removes an attribute written by an earlier add item. No earlier\n" \
      "item (and no earlier `all`) can have written this attribute, so the delete\n" \
      "does nothing; the name is probably misspelt.\n" \
      "\n" \
      "    add {\n" \
      "        nome\n" \
      "        delete nomee    # warning: nothing named `nomee` is written before\n" \
      "    }\n") \
    X(W404, DPL_SEV_WARNING, "condition is constant", \
      "An `if` condition or a requirement does not depend on the record: it is\n" \
      "always true (and could be removed) or always false (and the item never runs,\n" \
      "or every record is rejected). This usually means a path was written as a\n" \
      "string literal.\n" \
      "\n" \
      "    add {\n" \
      "        valor if \"ativo\" == \"sim\"     # warning: always false\n" \
      "        valor if ativo == \"sim\"       # ok: depends on the record\n" \
      "    }\n") \
    X(E313, DPL_SEV_ERROR, "`'item` outside `map` or `filter`", \
      "`'item` is the element that `map(ARRAY, EXPR)` or `filter(ARRAY, COND)` is\n" \
      "working on, and exists only inside their second argument (where relative\n" \
      "paths also start at the element). Anywhere else there is no element, so\n" \
      "`'item` means nothing: use a path, or move the expression into a map.\n" \
      "\n" \
      "    add {\n" \
      "        upper('item) -> tag              # error: no element here\n" \
      "        map(tags, upper('item)) -> tags  # ok: each element of tags\n" \
      "    }\n") \
    X(E314, DPL_SEV_ERROR, "invalid time format", \
      "The format of `parse_time` or `format_time` is checked with the program.\n" \
      "It may use the directives %Y (four digits), %m, %d, %H, %M, %S, %f (a\n" \
      "fraction of a second), %z (a zone: Z, +hh:mm or +hhmm) and %% (a percent\n" \
      "sign), each at most once, with any other characters in between. It must\n" \
      "contain %Y, %m and %d, and %f needs %S. Any other directive is an error.\n" \
      "\n" \
      "    add {\n" \
      "        parse_time(day, \"%d/%m/%y\") -> t   # error: %y is not a directive\n" \
      "        parse_time(day, \"%d/%m/%Y\") -> t   # ok\n" \
      "    }\n") \
    X(W405, DPL_SEV_WARNING, "path never present in the sample", \
      "`dplc check --sample FILE` reads sample records and reports each path the\n" \
      "program reads that no sample record has. A misspelt path is valid DPL and\n" \
      "silently reads nothing, so this is how typos are caught before any data\n" \
      "is lost. The help suggests the nearest path the sample does have, or the\n" \
      "same path with `[*]` when it reads a field of an array as if the array\n" \
      "were an object. Paths inside `add from` and map/filter are resolved where\n" \
      "they are read.\n" \
      "\n" \
      "    add {\n" \
      "        custmer.email -> email    # warning: data.custmer.email is never present;\n" \
      "                                  #   did you mean data.customer.email?\n" \
      "        line_items.qty -> qty     # warning: did you mean data.line_items[*].qty?\n" \
      "    }\n") \
    X(W406, DPL_SEV_WARNING, "path compared with a number written as a string", \
      "A path is compared with a string literal that reads as a number, such as\n" \
      "`amount > \"0\"`. When the field holds a string this compares text, byte by\n" \
      "byte (`\"9\" > \"10\"` is true), and when it holds a number the comparison is\n" \
      "a type error. The number without quotes was almost certainly meant.\n" \
      "\n" \
      "    requirement {\n" \
      "        amount > \"0\"              # warning: this compares text\n" \
      "        amount > 0                # ok\n" \
      "        amount as float > 0       # ok when amount is a string of digits\n" \
      "    }\n") \
    X(E501, DPL_SEV_ERROR, "attribute removed (dplc compat)", \
      "`dplc compat OLD NEW` found an attribute that the old program writes and the\n" \
      "new one no longer does, or an `all` whose copied fields are gone. Consumers\n" \
      "of the topic that read it break, so the data platform refuses the change.\n" \
      "The span points into the OLD program, where the attribute was written. Keep\n" \
      "writing it (with `if` when it does not apply), or publish a new entity.\n" \
      "\n" \
      "    # old.dpl                      # new.dpl\n" \
      "    add {                          add {\n" \
      "        nome                           nome\n" \
      "        valor      # error[E501]   }\n" \
      "    }\n") \
    X(E502, DPL_SEV_ERROR, "attribute made conditional (dplc compat)", \
      "The old program wrote this attribute for every record (a literal, a\n" \
      "`mandatory` path, an entity key's path, with no `if`); the new one writes it\n" \
      "only for some records: it gained an `if`, its path left `mandatory`, or its\n" \
      "value may now be missing. Consumers that rely on it being present break.\n" \
      "\n" \
      "    # old: mandatory { valor }  add { valor }\n" \
      "    add {\n" \
      "        valor if valor > 0      # error[E502]: not every record has `valor` now\n" \
      "        valor ?? 0 -> valor     # ok: always written\n" \
      "    }\n") \
    X(E503, DPL_SEV_ERROR, "attribute type narrowed or changed (dplc compat)", \
      "The set of JSON types an attribute may have (from casts, literals, function\n" \
      "result types, `append` arrays; any value for a copied path) is no longer a\n" \
      "superset of the old one. Widening (integer to number, string to string or\n" \
      "null) is compatible; narrowing or changing the type breaks consumers, as does\n" \
      "changing the element types of an `append` array.\n" \
      "\n" \
      "    # old: ano as int -> ano\n" \
      "    add {\n" \
      "        ano as string -> ano    # error[E503]: now a string, it was an integer\n" \
      "    }\n") \
    X(E504, DPL_SEV_ERROR, "entity name changed (dplc compat)", \
      "The id of every record is the SHA-256 of the entity name and its keys, so a\n" \
      "new name gives every entity a new id: consumers that merge by id see only\n" \
      "new entities, and the old ones are never updated again. Keep the name, or\n" \
      "publish the renamed entity as a new topic.\n" \
      "\n" \
      "    # old: entity \"fipe\" { data.codigo }\n" \
      "    entity \"tabela_fipe\" { data.codigo }    # error[E504]\n") \
    X(E505, DPL_SEV_ERROR, "entity keys changed (dplc compat)", \
      "The entity keys were added, removed, changed or reordered. The id hashes the\n" \
      "keys in order, so every record gets a new id. `valor` and `data.valor` are\n" \
      "the same key; anything else is a change.\n" \
      "\n" \
      "    # old: entity \"fipe\" { data.marca data.ano }\n" \
      "    entity \"fipe\" { data.ano data.marca }    # error[E505]: key 1 changed\n") \
    X(E506, DPL_SEV_ERROR, "source removed (dplc compat)", \
      "A source the old program accepted is no longer in `sources` (the span points\n" \
      "at it in the OLD program), or the new program adds a `sources` statement\n" \
      "where the old one accepted every source. Records from that source are\n" \
      "skipped from now on, and the consumers stop receiving its entities.\n" \
      "\n" \
      "    # old: sources \"crm\", \"site\"\n" \
      "    sources \"crm\"               # error[E506]: `site` is no longer accepted\n") \
    X(W501, DPL_SEV_WARNING, "`substitutive` added or removed (dplc compat)", \
      "A substitutive entity tells consumers to replace what the source said about\n" \
      "the entity before, rather than merge into it. Changing that does not break\n" \
      "the schema, but it changes what consumers do with every record: check that\n" \
      "they expect it.\n" \
      "\n" \
      "    # old: entity \"fipe\" { data.codigo }\n" \
      "    substitutive entity \"fipe\" { data.codigo }    # warning[W501]\n")

/* The reject codes of `dpl run` (spec §8), defined once:
 * X(ID, name, title, explanation).  `dplc explain cast_failed` prints the
 * explanation (a paragraph, a blank line, an example) and docs/errors.md
 * repeats it; stdlib.h makes the DplRtCode enum from the same list. */
#define DPL_RT_CODES(X) \
    X(INVALID_JSON, "invalid_json", "the line is not valid JSON", \
      "The input line could not be parsed as one JSON value: a syntax error, a\n" \
      "byte sequence that is not UTF-8, or an integer outside the signed 64-bit\n" \
      "range (DPL never rounds an integer silently). The reject keeps the line's\n" \
      "text as `raw` (invalid bytes become U+FFFD) and the message gives the\n" \
      "column of the problem, counted in characters.\n" \
      "\n" \
      "    {\"data\":{\"valor\":1,},\"metadata\":{\"source\":\"fipe\"}}\n" \
      "    # rejected: invalid_json (a comma before `}`)\n") \
    X(NOT_AN_OBJECT, "not_an_object", "the record is not a JSON object", \
      "Without `--raw`, every line must be an envelope object\n" \
      "`{\"data\": ..., \"metadata\": {\"source\": ...}}`. A line holding another JSON\n" \
      "value (an array, a string, a number) is rejected. Plain NDJSON without an\n" \
      "envelope is read with `dpl run --raw`, which wraps each value as `data`.\n" \
      "\n" \
      "    [1, 2, 3]          # rejected: not_an_object\n" \
      "    dpl run --raw p.dpl values.ndjson   # ok: each value becomes data\n") \
    X(MISSING_SOURCE, "missing_source", "the record names no source", \
      "The program has a `sources` statement, so every record must say where it\n" \
      "comes from in `metadata.source` (a string). A record without it cannot be\n" \
      "told apart from records of other sources, so it is rejected rather than\n" \
      "skipped.\n" \
      "\n" \
      "    {\"data\":{\"codigo\":1}}                                 # rejected\n" \
      "    {\"data\":{\"codigo\":1},\"metadata\":{\"source\":\"fipe\"}}  # ok\n") \
    X(MISSING_MANDATORY, "missing_mandatory", "a mandatory field is missing", \
      "A path listed in `mandatory` is absent, null or the empty string in the\n" \
      "record. Every missing path is reported (one error each, with its absolute\n" \
      "`path` and the rule's line and column), and the record is rejected.\n" \
      "\n" \
      "    mandatory { data.valor }\n" \
      "    {\"data\":{\"valor\":\"\"},\"metadata\":{\"source\":\"fipe\"}}   # rejected\n") \
    X(REQUIREMENT_FAILED, "requirement_failed", "a requirement is false", \
      "A `requirement` expression evaluated to false (or to a missing value) for\n" \
      "the record. The message quotes the expression; `rule` points at it. All\n" \
      "requirements are evaluated, so every failure is reported at once.\n" \
      "\n" \
      "    requirement { ano >= 1950 }\n" \
      "    {\"data\":{\"ano\":1900},...}     # rejected: requirement `ano >= 1950` is false\n") \
    X(MISSING_KEY, "missing_key", "an entity key has no value", \
      "A key expression of the `entity` statement evaluated to a missing value or\n" \
      "null, so the record has no id. A key path already listed in `mandatory` is\n" \
      "reported there instead (as `missing_mandatory`), once.\n" \
      "\n" \
      "    entity \"fipe\" { data.codigo }\n" \
      "    {\"data\":{\"codigo\":null},...}   # rejected: missing_key data.codigo\n") \
    X(CAST_FAILED, "cast_failed", "a value cannot be converted", \
      "An `as` cast met a value it cannot convert exactly: `\"20l4\" as int`,\n" \
      "`3.5 as int`, `\"yes\" as bool` (in language 1.1, `parse_time` of text that\n" \
      "does not match its format too). DPL never guesses; the message quotes the\n" \
      "value. Test the value first, or use `coalesce` to give a default.\n" \
      "\n" \
      "    add { ano as int -> ano }\n" \
      "    {\"data\":{\"ano\":\"20l4\"},...}     # rejected: cannot cast \"20l4\" to int\n") \
    X(TYPE_ERROR, "type_error", "an operand has the wrong type", \
      "An operator or builtin received a value of a type it does not accept, and\n" \
      "the checker could not rule it out because the value comes from the record:\n" \
      "`valor * 2` when `valor` is a string, `upper(n)` when `n` is a number.\n" \
      "Cast the value (`valor as float * 2`) or test its type first.\n" \
      "\n" \
      "    add { valor * 2 -> dobro }\n" \
      "    {\"data\":{\"valor\":\"10\"},...}     # rejected: `*` needs numbers\n") \
    X(ARITHMETIC_ERROR, "arithmetic_error", "arithmetic overflow or division by zero", \
      "Integer arithmetic overflowed the signed 64-bit range, a division or `%`\n" \
      "had a zero divisor, or a result was not a finite number. DPL never wraps\n" \
      "around or writes NaN; the record is rejected instead.\n" \
      "\n" \
      "    add { total / quantidade -> media }\n" \
      "    {\"data\":{\"total\":10,\"quantidade\":0},...}   # rejected: division by zero\n") \
    X(LIMIT_EXCEEDED, "limit_exceeded", "the record exceeds a limit", \
      "The line is longer than `--max-record-bytes` (default 16 MiB), or its JSON\n" \
      "is nested deeper than 512 levels (docs/limits.md). The reject keeps the\n" \
      "first 1024 bytes as `raw`; the next line is processed normally. Raise\n" \
      "`--max-record-bytes` if such records are legitimate.\n" \
      "\n" \
      "    dpl run --max-record-bytes 64m p.dpl big.ndjson\n")

#endif
