-- uuid-ossp 1.1: the functions and answers of PostgreSQL's contrib module (F.48), without the OSSP/e2fs library.
-- v4 draws on the server's strong random source (gen_random_uuid); v3 and v5 hash as RFC 4122 section 4.3 says.

CREATE FUNCTION @extschema@.uuid_nil() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_dns() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_url() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_oid() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION @extschema@.uuid_ns_x500() RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

-- The version and RFC 4122 variant bits over the first 16 bytes of a hash or a random draw.
CREATE FUNCTION @extschema@.@helper@uuid_stamp(bytes bytea, version int) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT encode(set_byte(set_byte(substring(bytes FROM 1 FOR 16),
        6, (get_byte(bytes, 6) & 15) | (version << 4)),
        8, (get_byte(bytes, 8) & 63) | 128), 'hex')::uuid
$$;

CREATE FUNCTION @extschema@.uuid_generate_v3(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.@helper@uuid_stamp(decode(md5(uuid_send(namespace) || convert_to(name, current_setting('server_encoding'))), 'hex'), 3)
$$;

CREATE FUNCTION @extschema@.uuid_generate_v5(namespace uuid, name text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.@helper@uuid_stamp(@extschema@.@helper@sha1(uuid_send(namespace) || convert_to(name, current_setting('server_encoding'))), 5)
$$;

CREATE FUNCTION @extschema@.uuid_generate_v4() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- Version 1: 100 ns ticks since 1582-10-15, a random clock sequence per call (the module's libraries keep
-- one per process) and a node: v1mc draws a random multicast node per call as uuid-ossp does; v1 has no
-- MAC address to read here, so it uses a random multicast node drawn once, when the extension is created
-- (RFC 4122 section 4.5).
CREATE FUNCTION @extschema@.@helper@uuid_v1(node bytea) RETURNS uuid LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE AS $$
DECLARE
    ticks bigint := (floor(extract(epoch FROM clock_timestamp()) * 10000000))::bigint + 122192928000000000
                    + floor(random() * 10)::bigint;
    rnd bytea := uuid_send(pg_catalog.gen_random_uuid());
    seq int := ((get_byte(rnd, 0) << 8) | get_byte(rnd, 1)) & 16383;
BEGIN
    RETURN (lpad(to_hex(ticks & 4294967295), 8, '0') || lpad(to_hex((ticks >> 32) & 65535), 4, '0')
        || lpad(to_hex(((ticks >> 48) & 4095) | 4096), 4, '0') || lpad(to_hex(seq | 32768), 4, '0')
        || encode(node, 'hex'))::uuid;
END
$$;

CREATE FUNCTION @extschema@.uuid_generate_v1mc() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE AS $$
    SELECT @extschema@.@helper@uuid_v1(set_byte(r, 0, get_byte(r, 0) | 3))
    FROM (SELECT substring(uuid_send(pg_catalog.gen_random_uuid()) FROM 11 FOR 6) AS r) AS draw
$$;

DO $do$
DECLARE
    node bytea := substring(uuid_send(pg_catalog.gen_random_uuid()) FROM 11 FOR 6);
BEGIN
    node := set_byte(node, 0, get_byte(node, 0) | 1);
    EXECUTE format(
        'CREATE FUNCTION @extschema@.uuid_generate_v1() RETURNS uuid LANGUAGE sql VOLATILE STRICT PARALLEL SAFE '
        'AS $f$ SELECT @extschema@.@helper@uuid_v1(%L::bytea) $f$', node);
END
$do$;
