-- unique_label(name, id, word): a row's name for people: `name`, with `(id)` when another row of
-- the result has the same name, and `<word> <id>` when it has none.
case
            when {name} is null then '{word} ' || {id}
            when count(*) over (partition by {name}) > 1 then {name} || ' (' || {id} || ')'
            else {name}
        end
