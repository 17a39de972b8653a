-- pgcrypto 1.3: the functions of PostgreSQL's contrib module (F.26) that need no OpenSSL, same names, same answers:
-- digest, hmac (md5, sha1, sha224, sha256, sha384, sha512), gen_random_bytes, gen_random_uuid, and crypt/gen_salt
-- for md5 salts. The rest (bf/des/xdes salts, raw and PGP encryption) raise feature_not_supported naming themselves.

CREATE FUNCTION @extschema@.@helper@hash(data bytea, algorithm text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    CASE lower(algorithm)
        WHEN 'md5' THEN RETURN decode(md5(data), 'hex');
        WHEN 'sha1' THEN RETURN @extschema@.@helper@sha1(data);
        WHEN 'sha224' THEN RETURN sha224(data);
        WHEN 'sha256' THEN RETURN sha256(data);
        WHEN 'sha384' THEN RETURN sha384(data);
        WHEN 'sha512' THEN RETURN sha512(data);
        ELSE RAISE EXCEPTION 'Cannot use "%": No such hash algorithm', algorithm USING ERRCODE = '39000';
    END CASE;
END
$$;

CREATE FUNCTION @extschema@.digest(bytea, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.@helper@hash($1, $2) $$;
CREATE FUNCTION @extschema@.digest(text, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.@helper@hash(convert_to($1, current_setting('server_encoding')), $2) $$;

-- HMAC (RFC 2104): block size 64 bytes, 128 for sha384 and sha512.
CREATE FUNCTION @extschema@.hmac(bytea, bytea, text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    block int := CASE WHEN lower($3) IN ('sha384', 'sha512') THEN 128 ELSE 64 END;
    key bytea := $2;
    inner_pad bytea;
    outer_pad bytea;
BEGIN
    PERFORM @extschema@.@helper@hash(''::bytea, $3);  -- an unknown algorithm fails before any work
    IF length(key) > block THEN
        key := @extschema@.@helper@hash(key, $3);
    END IF;
    key := key || decode(repeat('00', block - length(key)), 'hex');
    inner_pad := key;
    outer_pad := key;
    FOR i IN 0 .. block - 1 LOOP
        inner_pad := set_byte(inner_pad, i, get_byte(key, i) # 54);
        outer_pad := set_byte(outer_pad, i, get_byte(key, i) # 92);
    END LOOP;
    RETURN @extschema@.@helper@hash(outer_pad || @extschema@.@helper@hash(inner_pad || $1, $3), $3);
END
$$;
CREATE FUNCTION @extschema@.hmac(text, text, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.hmac(convert_to($1, current_setting('server_encoding')),
                                  convert_to($2, current_setting('server_encoding')), $3) $$;

-- Strong random bytes: the server's pg_strong_random (through gen_random_uuid, 122 random bits a draw)
-- spread by SHA-512. Like pgcrypto, at most 1024 bytes a call.
CREATE FUNCTION @extschema@.gen_random_bytes(integer) RETURNS bytea
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
    out bytea := ''::bytea;
BEGIN
    IF $1 < 1 OR $1 > 1024 THEN
        RAISE EXCEPTION 'Length not in range' USING ERRCODE = '22023';
    END IF;
    WHILE length(out) < $1 LOOP
        out := out || sha512(uuid_send(pg_catalog.gen_random_uuid()) || uuid_send(pg_catalog.gen_random_uuid())
                             || uuid_send(pg_catalog.gen_random_uuid()) || uuid_send(pg_catalog.gen_random_uuid()));
    END LOOP;
    RETURN substring(out FROM 1 FOR $1);
END
$$;

CREATE FUNCTION @extschema@.gen_random_uuid() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- MD5-based crypt ("$1$", FreeBSD's md5crypt, what pgcrypto's gen_salt('md5') makes).
CREATE FUNCTION @extschema@.@helper@md5_crypt(password bytea, setting text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    itoa64 CONSTANT text := './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    salt text := split_part(substring(setting FROM 4), '$', 1);
    salt_bytes bytea;
    ctx bytea;
    alt bytea;
    fin bytea;
    c bytea;
    n int;
    v int;
    out text := '';
    triple int[];
BEGIN
    salt := substring(salt FROM 1 FOR 8);
    salt_bytes := convert_to(salt, 'UTF8');
    ctx := password || '$1$'::bytea || salt_bytes;
    alt := decode(md5(password || salt_bytes || password), 'hex');
    n := length(password);
    WHILE n > 0 LOOP
        ctx := ctx || substring(alt FROM 1 FOR least(n, 16));
        n := n - 16;
    END LOOP;
    n := length(password);
    WHILE n > 0 LOOP
        IF n & 1 = 1 THEN ctx := ctx || '\x00'::bytea; ELSE ctx := ctx || substring(password FROM 1 FOR 1); END IF;
        n := n >> 1;
    END LOOP;
    fin := decode(md5(ctx), 'hex');
    FOR i IN 0 .. 999 LOOP
        c := CASE WHEN i & 1 = 1 THEN password ELSE fin END;
        IF i % 3 <> 0 THEN c := c || salt_bytes; END IF;
        IF i % 7 <> 0 THEN c := c || password; END IF;
        c := c || CASE WHEN i & 1 = 1 THEN fin ELSE password END;
        fin := decode(md5(c), 'hex');
    END LOOP;
    FOREACH triple SLICE 1 IN ARRAY ARRAY[[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]] LOOP
        v := (get_byte(fin, triple[1]) << 16) | (get_byte(fin, triple[2]) << 8) | get_byte(fin, triple[3]);
        FOR j IN 1 .. 4 LOOP
            out := out || substr(itoa64, (v & 63) + 1, 1);
            v := v >> 6;
        END LOOP;
    END LOOP;
    v := get_byte(fin, 11);
    FOR j IN 1 .. 2 LOOP
        out := out || substr(itoa64, (v & 63) + 1, 1);
        v := v >> 6;
    END LOOP;
    RETURN '$1$' || salt || '$' || out;
END
$$;

CREATE FUNCTION @extschema@.crypt(text, text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF left($2, 3) = '$1$' THEN
        RETURN @extschema@.@helper@md5_crypt(convert_to($1, current_setting('server_encoding')), $2);
    END IF;
    RAISE EXCEPTION 'crypt() with this salt type is not available on the local Data API''s pgcrypto (md5 salts only)'
        USING ERRCODE = '0A000';
END
$$;

CREATE FUNCTION @extschema@.gen_salt(text) RETURNS text LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
    itoa64 CONSTANT text := './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    r bytea;
    salt text := '';
BEGIN
    IF lower($1) = 'md5' THEN
        r := @extschema@.gen_random_bytes(8);
        FOR i IN 0 .. 7 LOOP
            salt := salt || substr(itoa64, (get_byte(r, i) & 63) + 1, 1);
        END LOOP;
        RETURN '$1$' || salt;
    ELSIF lower($1) IN ('bf', 'des', 'xdes', 'sha256crypt', 'sha512crypt') THEN
        RAISE EXCEPTION 'gen_salt(''%'') is not available on the local Data API''s pgcrypto (md5 only)', $1
            USING ERRCODE = '0A000';
    END IF;
    RAISE EXCEPTION 'gen_salt: Unknown salt algorithm' USING ERRCODE = '22023';
END
$$;

CREATE FUNCTION @extschema@.gen_salt(text, integer) RETURNS text LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.gen_salt($1) $$;

-- Encryption needs OpenSSL, which the embedded PostgreSQL is built without: present, but refusing clearly.
DO $do$
DECLARE
    missing text[] := ARRAY[
        'encrypt(bytea, bytea, text) RETURNS bytea', 'decrypt(bytea, bytea, text) RETURNS bytea',
        'encrypt_iv(bytea, bytea, bytea, text) RETURNS bytea', 'decrypt_iv(bytea, bytea, bytea, text) RETURNS bytea',
        'pgp_sym_encrypt(text, text) RETURNS bytea', 'pgp_sym_encrypt(text, text, text) RETURNS bytea',
        'pgp_sym_decrypt(bytea, text) RETURNS text', 'pgp_sym_decrypt(bytea, text, text) RETURNS text',
        'pgp_sym_encrypt_bytea(bytea, text) RETURNS bytea', 'pgp_sym_decrypt_bytea(bytea, text) RETURNS bytea',
        'pgp_pub_encrypt(text, bytea) RETURNS bytea', 'pgp_pub_decrypt(bytea, bytea) RETURNS text',
        'armor(bytea) RETURNS text', 'dearmor(text) RETURNS bytea', 'pgp_key_id(bytea) RETURNS text'];
    sig text;
BEGIN
    FOREACH sig IN ARRAY missing LOOP
        EXECUTE format(
            'CREATE FUNCTION @extschema@.%s LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION %L USING ERRCODE = %L; END $f$',
            sig, split_part(sig, '(', 1) || '() is not available on the local Data API''s pgcrypto (no OpenSSL)', '0A000');
    END LOOP;
END
$do$;
