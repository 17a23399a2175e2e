{#- A keyed pseudonym of an identity-like value: HMAC-SHA256 under the organisation's secret, as lower-case
    hex (null stays null). An unkeyed hash of an engineer id or an email is reversed by hashing a roster
    file or a guessed address; a keyed one is not without the secret. The secret is read from its file
    when the query runs, so it never appears in compiled SQL, the manifest, the dbt docs or a log.
    orchestration/lib/pseudonym.py creates the file and computes the same hash in Python.
    Each adapter implements <adapter>__pseudonymise and <adapter>__pseudonym_key_hex. -#}
{% macro pseudonymise(expression) -%}
    {{ return(adapter.dispatch('pseudonymise')(expression)) }}
{%- endmacro %}

{% macro default__pseudonymise(expression) -%}
    {{ exceptions.raise_compiler_error(
        "pseudonymise (HMAC-SHA256) has no implementation for the " ~ adapter.type() ~ " adapter: "
        ~ "write " ~ adapter.type() ~ "__pseudonymise in dbt_project/macros/pseudonymise.sql"
    ) }}
{%- endmacro %}

{#- The secret as 64 hex digits, read at query time (a unit test overrides this with a literal). -#}
{% macro pseudonym_key_hex() -%}
    {{ return(adapter.dispatch('pseudonym_key_hex')()) }}
{%- endmacro %}

{% macro pseudonym_key_path() -%}
    {{ return(var("pseudonym_key_path", env_var("AAW_PSEUDONYM_KEY", "../demo/secrets/pseudonym.key"))) }}
{%- endmacro %}

{% macro duckdb__pseudonym_key_hex() -%}
    (select trim(content, chr(9) || chr(10) || chr(13) || ' ') from read_text('{{ pseudonym_key_path() }}'))
{%- endmacro %}

{#- Spark reads the file as lines; blank lines and whitespace are dropped. -#}
{% macro spark__pseudonym_key_hex() -%}
    (select max(regexp_replace(value, '\\s', '')) from text.`{{ pseudonym_key_path() }}`)
{%- endmacro %}

{#- HMAC's inner or outer key: the secret zero-padded to SHA-256's 64-byte block, xor-ed with the pad byte. -#}
{% macro duckdb__hmac_padded_key(pad_byte) -%}
    cast(xor(
        cast(unhex(rpad({{ pseudonym_key_hex() }}, 128, '0')) as bit),
        cast(unhex(repeat('{{ pad_byte }}', 64)) as bit)
    ) as blob)
{%- endmacro %}

{% macro duckdb__pseudonymise(expression) -%}
    sha256(
        {{ duckdb__hmac_padded_key('5c') }}
        || unhex(sha256({{ duckdb__hmac_padded_key('36') }} || encode(cast({{ expression }} as varchar))))
    )
{%- endmacro %}

{#- Spark has no xor of binaries: the padded key's 64 bytes are xor-ed one by one as integers. -#}
{% macro spark__hmac_padded_key(pad_byte) -%}
    (
        select unhex(array_join(transform(
            sequence(0, 63),
            position -> lpad(hex(cast(conv(substr(padded, 2 * position + 1, 2), 16, 10) as int) ^ {{ pad_byte | int(base=16) }}), 2, '0')
        ), ''))
        from (select rpad({{ pseudonym_key_hex() }}, 128, '0') as padded) as secret
    )
{%- endmacro %}

{% macro spark__pseudonymise(expression) -%}
    sha2(
        concat(
            {{ spark__hmac_padded_key('5c') }},
            unhex(sha2(concat({{ spark__hmac_padded_key('36') }}, encode(cast({{ expression }} as string), 'UTF-8')), 256))
        ),
        256
    )
{%- endmacro %}
