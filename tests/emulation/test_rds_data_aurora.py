"""Aurora PostgreSQL, not just PostgreSQL: its extensions, and clusters isolated from each other.

The expected values come from independent implementations (Python's ``uuid``, ``hashlib``,
``hmac`` and ``crypt``), never from the server under test.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.emulation.rds_data_support import PASSWORD, Aurora, error_of, make_cluster, make_secret, p

pytestmark = pytest.mark.emulation


def test_uuid_ossp_is_available_to_the_master_user(aurora):
    """Aurora PostgreSQL offers uuid-ossp, and its master user (no superuser) may CREATE EXTENSION it."""
    aurora.run('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    assert aurora.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    assert aurora.scalar("SELECT extversion FROM pg_extension WHERE extname = 'uuid-ossp'") == "1.1"
    aurora.run("CREATE TABLE things (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name text)")
    made = aurora.scalar("INSERT INTO things (name) VALUES ('a') RETURNING id::text")
    assert uuid.UUID(made).version == 4


@pytest.mark.parametrize("name", ["www.example.com", "", "python.org", "héllo wörld ✓" * 10])
def test_uuid_ossp_v3_and_v5_match_rfc_4122(aurora, name):
    """uuid_generate_v3/v5 hash namespace and name as RFC 4122 4.3 says (the values Python's uuid computes)."""
    aurora.run('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    row = aurora.run(
        "SELECT uuid_generate_v3(uuid_ns_dns(), :n)::text, uuid_generate_v5(uuid_ns_url(), :n)::text,"
        " uuid_generate_v5(uuid_ns_oid(), :n)::text, uuid_generate_v3(uuid_ns_x500(), :n)::text",
        p("n", stringValue=name),
    )["records"][0]
    assert [f["stringValue"] for f in row] == [
        str(uuid.uuid3(uuid.NAMESPACE_DNS, name)),
        str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        str(uuid.uuid5(uuid.NAMESPACE_OID, name)),
        str(uuid.uuid3(uuid.NAMESPACE_X500, name)),
    ]


def test_uuid_ossp_known_vector_and_other_generators(aurora):
    """The classic vector v5(ns_dns, 'www.example.com') = 2ed6657d-...; v1 and v1mc are time-based, v1mc multicast."""
    aurora.run('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    assert aurora.scalar("SELECT uuid_generate_v5(uuid_ns_dns(), 'www.example.com')::text") == (
        "2ed6657d-e927-568b-95e1-2665a8aea6a2"
    )
    assert aurora.scalar("SELECT uuid_nil()::text") == "00000000-0000-0000-0000-000000000000"
    row = aurora.run("SELECT uuid_generate_v1()::text, uuid_generate_v1()::text, uuid_generate_v1mc()::text")["records"][0]
    first, second, multicast = (uuid.UUID(f["stringValue"]) for f in row)
    assert first.version == second.version == multicast.version == 1
    assert first != second
    assert multicast.node >> 40 & 1  # the IEEE 802 multicast bit: no real MAC address
    assert abs(uuid.uuid1().time - first.time) < 10_000_000 * 3600  # the same clock, within an hour


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
def test_pgcrypto_digest_and_hmac_match_their_standards(aurora, algorithm):
    """pgcrypto's digest() and hmac() give the FIPS 180 / RFC 2104 values (those of hashlib and hmac)."""
    aurora.run("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    for data in [b"", b"abc", b"x" * 55, b"x" * 56, b"y" * 1000]:
        blob = {"blobValue": data}
        got = aurora.run("SELECT digest(:d, :a)", p("d", **blob), p("a", stringValue=algorithm))["records"][0][0]
        assert got["blobValue"] == hashlib.new(algorithm, data).digest()
        for key in [b"key", b"k" * 64, b"k" * 200]:
            got = aurora.run("SELECT hmac(:d, :k, :a)", p("d", **blob), p("k", blobValue=key), p("a", stringValue=algorithm))[
                "records"
            ][0][0]
            assert got["blobValue"] == hmac.new(key, data, algorithm).digest()
    text = aurora.run("SELECT encode(digest('héllo', :a), 'hex')", p("a", stringValue=algorithm))["records"][0][0]
    assert text["stringValue"] == hashlib.new(algorithm, "héllo".encode()).hexdigest()


def test_pgcrypto_random_crypt_and_refusals(aurora):
    """gen_random_bytes (1..1024), gen_random_uuid, md5 crypt(); what needs OpenSSL refuses clearly (0A000)."""
    aurora.run("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    assert aurora.scalar("SELECT length(gen_random_bytes(1024))") == 1024
    assert aurora.scalar("SELECT gen_random_bytes(16) <> gen_random_bytes(16)") is True
    assert uuid.UUID(aurora.scalar("SELECT gen_random_uuid()::text")).version == 4
    crypt = pytest.importorskip("crypt")  # Python's own md5-crypt, the oracle (present up to 3.12)
    assert aurora.scalar("SELECT crypt('password', '$1$saltsalt')") == crypt.crypt("password", "$1$saltsalt")
    assert aurora.scalar("SELECT crypt('pw', s) = s FROM (SELECT crypt('pw', gen_salt('md5')) AS s) x") is True
    assert "Length not in range" in aurora.error("SELECT gen_random_bytes(1025)")["Message"]
    assert "No such hash algorithm" in aurora.error("SELECT digest('a', 'sha3')")["Message"]
    assert "SQLState: 0A000" in aurora.error("SELECT pgp_sym_encrypt('a', 'b')")["Message"]


def test_upstream_style_migration_succeeds(aurora):
    """A migration that creates uuid-ossp and uses uuid_generate_v4() defaults works as on Aurora."""
    aurora.run('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    aurora.run('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')  # IF NOT EXISTS: a second run is fine
    aurora.run("CREATE TABLE jobs (id UUID PRIMARY KEY DEFAULT uuid_generate_v4(), status text DEFAULT 'pending')")
    assert uuid.UUID(aurora.scalar("INSERT INTO jobs DEFAULT VALUES RETURNING id::text"))


def test_clusters_with_the_same_names_are_separate(cloud):
    """Each Aurora cluster is its own server: two may both have database alex and master user alexadmin."""
    data = cloud.client("rds-data")
    one = make_cluster(cloud, "one", DatabaseName="alex", MasterUsername="alexadmin", MasterUserPassword="first-Pass-1")
    two = make_cluster(cloud, "two", DatabaseName="alex", MasterUsername="alexadmin", MasterUserPassword="second-Pass-2")
    s1 = make_secret(cloud, "one-db", "alexadmin", "first-Pass-1")
    s2 = make_secret(cloud, "two-db", "alexadmin", "second-Pass-2")
    data.execute_statement(resourceArn=one, secretArn=s1, sql="CREATE TABLE users (name text)")
    data.execute_statement(resourceArn=one, secretArn=s1, sql="INSERT INTO users VALUES ('only in one')")
    data.execute_statement(resourceArn=two, secretArn=s2, sql="CREATE TABLE users (name text)")
    got = data.execute_statement(resourceArn=two, secretArn=s2, sql="SELECT count(*) FROM users")
    assert got["records"] == [[{"longValue": 0}]]
    with pytest.raises(ClientError) as caught:  # cluster one's password does not open cluster two
        data.execute_statement(resourceArn=two, secretArn=s1, sql="SELECT 1")
    assert "password authentication failed" in error_of(caught.value)["Message"]


def test_another_clusters_database_does_not_exist(cloud, aurora):
    """Naming another cluster's database is 'database ... does not exist', as on Aurora, not a permission error."""
    data = cloud.client("rds-data")
    aurora.run("CREATE TABLE users (name text)")
    other = make_cluster(cloud, "other", DatabaseName="elsewhere", MasterUsername="app_admin")
    secret = make_secret(cloud, "other-db", "app_admin", PASSWORD)
    with pytest.raises(ClientError) as caught:
        data.execute_statement(resourceArn=other, secretArn=secret, database="app", sql="SELECT * FROM users")
    assert 'database "app" does not exist' in error_of(caught.value)["Message"]


def test_duplicate_cluster_identifier_is_refused(cloud, aurora):
    """CreateDBCluster with an identifier in use fails with DBClusterAlreadyExistsFault; the cluster keeps its data."""
    aurora.run("CREATE TABLE kept (v int)")
    with pytest.raises(ClientError) as caught:
        make_cluster(cloud, "conformance", DatabaseName="other")
    assert error_of(caught.value)["Code"] == "DBClusterAlreadyExistsFault"
    assert aurora.run("SELECT count(*) FROM kept")["records"] == [[{"longValue": 0}]]


def test_a_cluster_made_again_under_the_same_id_is_empty(cloud, aurora):
    """A deleted cluster's data goes with it: a new cluster with the same identifier starts empty."""
    aurora.run("CREATE TABLE gone (v int)")
    cloud.client("rds").delete_db_cluster(DBClusterIdentifier="conformance", SkipFinalSnapshot=True)
    again = Aurora(aurora.rds, make_cluster(cloud, "conformance"), aurora.secret_arn)
    assert again.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'gone'") == 0
