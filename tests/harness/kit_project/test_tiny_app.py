"""Not Alex: a queue feeding a Lambda that writes to an Aurora table, tested with only the kit's plugin."""
import io, json, sys, time, zipfile

HANDLER = """import boto3, os
def handler(event, context):
    for r in event["Records"]:
        boto3.client("rds-data").execute_statement(resourceArn=os.environ["DB"], secretArn=os.environ["SECRET"],
            database="app", sql="INSERT INTO notes VALUES (:b)", parameters=[{"name": "b", "value": {"stringValue": r["body"]}}])
"""

def test_message_lands_in_table(cloud, aws_env, lambda_role):
    secret = cloud.client("secretsmanager").create_secret(Name="db", SecretString=json.dumps({"username": "app", "password": "pw-123456"}))["ARN"]
    db = cloud.client("rds").create_db_cluster(DBClusterIdentifier="app", Engine="aurora-postgresql", EngineVersion="16.6", DatabaseName="app", MasterUsername="app",
                                               MasterUserPassword="pw-123456", EnableHttpEndpoint=True)["DBCluster"]["DBClusterArn"]
    sql = lambda q: cloud.client("rds-data").execute_statement(resourceArn=db, secretArn=secret, database="app", sql=q)
    sql("CREATE TABLE notes (body text)")
    code = io.BytesIO(); zipfile.ZipFile(code, "w").writestr("app.py", HANDLER)
    cloud.client("lambda").create_function(FunctionName="writer", Runtime="python3.12", Role=lambda_role, Handler="app.handler",
                                           Code={"ZipFile": code.getvalue()}, Environment={"Variables": {"DB": db, "SECRET": secret}})
    queue = cloud.client("sqs").create_queue(QueueName="notes")["QueueUrl"]
    arn = cloud.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    cloud.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName="writer", BatchSize=1)
    cloud.client("sqs").send_message(QueueUrl=queue, MessageBody="hello")
    deadline = time.monotonic() + 60
    while not (rows := sql("SELECT body FROM notes")["records"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rows == [[{"stringValue": "hello"}]]
    assert not any(m == "alex" or m.startswith(("alex.", "harness.alexkit")) for m in sys.modules)
