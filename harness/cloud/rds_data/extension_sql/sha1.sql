-- SHA-1 (FIPS 180-4), which PostgreSQL's core lacks (it has md5 and sha224..sha512); words are bigints masked to 32 bits.
CREATE FUNCTION @extschema@.@helper@sha1(data bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$
DECLARE
    m CONSTANT bigint := 4294967295;
    msg bytea;
    w bigint[];
    h0 bigint := 1732584193; h1 bigint := 4023233417; h2 bigint := 2562383102; h3 bigint := 271733878; h4 bigint := 3285377520;
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    i int; base int;
BEGIN
    msg := data || '\x80'::bytea || decode(repeat('00', ((119 - length(data) % 64) % 64)), 'hex')
        || int8send(length(data)::bigint * 8);
    FOR blk IN 0 .. length(msg) / 64 - 1 LOOP
        base := blk * 64;
        w := array_fill(0::bigint, ARRAY[80]);
        FOR i IN 0 .. 15 LOOP
            w[i + 1] := (get_byte(msg, base + i * 4)::bigint << 24) | (get_byte(msg, base + i * 4 + 1)::bigint << 16)
                      | (get_byte(msg, base + i * 4 + 2)::bigint << 8) | get_byte(msg, base + i * 4 + 3)::bigint;
        END LOOP;
        FOR i IN 16 .. 79 LOOP
            t := w[i - 2] # w[i - 7] # w[i - 13] # w[i - 15];
            w[i + 1] := ((t << 1) | (t >> 31)) & m;
        END LOOP;
        a := h0; b := h1; c := h2; d := h3; e := h4;
        FOR i IN 0 .. 79 LOOP
            IF i < 20 THEN f := (b & c) | ((~b) & d); k := 1518500249;
            ELSIF i < 40 THEN f := b # c # d; k := 1859775393;
            ELSIF i < 60 THEN f := (b & c) | (b & d) | (c & d); k := 2400959708;
            ELSE f := b # c # d; k := 3395469782;
            END IF;
            t := ((((a << 5) | (a >> 27)) & m) + (f & m) + e + k + w[i + 1]) & m;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & m; b := a; a := t;
        END LOOP;
        h0 := (h0 + a) & m; h1 := (h1 + b) & m; h2 := (h2 + c) & m; h3 := (h3 + d) & m; h4 := (h4 + e) & m;
    END LOOP;
    RETURN substring(int8send(h0) FROM 5) || substring(int8send(h1) FROM 5) || substring(int8send(h2) FROM 5)
        || substring(int8send(h3) FROM 5) || substring(int8send(h4) FROM 5);
END
$body$;
