"""
The source side of a snapshot share, end to end against a moto server (moto's Step Functions runs
the synthesized definition with real boto3 calls into its EC2, RDS, KMS, SNS and EventBridge), used
by test/snapshots/snapshot-share.moto.test.ts.

Usage: python3 moto_share.py <definition.json> EBS|RDS

While the workflow waits for the target's confirmation (events:putEvents.waitForTaskToken), the
script reads the task token from the execution history, records what the source account holds
(the intermediate copy, its key, tags and shares) and answers with SendTaskSuccess, as the
confirmation handler would. Prints one JSON line.

Quirks of moto 5.2.x handled here and in the test, never in the product (see VERIFY.md): one
execution per server; the execution is named; its status is read with ListExecutions; moto's
Step Functions reaches the services at localhost:$MOTO_PORT.
"""
import json, sys, time
import boto3
from moto_server import client_args, start_moto
server, url = start_moto()
kw = client_args(url, "eu-west-1")
ec2 = boto3.client("ec2", **kw); rds = boto3.client("rds", **kw); kms = boto3.client("kms", **kw)
sns = boto3.client("sns", **kw); sfn = boto3.client("stepfunctions", **kw); events = boto3.client("events", **kw)
kind = sys.argv[2]
definition = open(sys.argv[1]).read()
key = kms.create_key()["KeyMetadata"]["Arn"]
topic = sns.create_topic(Name="failures")["TopicArn"]
bus = events.create_event_bus(Name="share-bus")["EventBusArn"]
definition = definition.replace("arn:aws:kms:eu-west-1:123456789012:key/ShareKeyA1DBE5A3", key)
definition = definition.replace("arn:aws:sns:eu-west-1:123456789012:ShareFailures2C35AA2E", topic)
definition = definition.replace("arn:aws:events:eu-west-1:123456789012:ShareBus0E63DA5F", bus)
if kind == "EBS":
    vol = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8, Encrypted=True)
    original = ec2.create_snapshot(VolumeId=vol["VolumeId"])["SnapshotId"]
else:
    rds.create_db_instance(DBInstanceIdentifier="orders", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="u", MasterUserPassword="password1234", StorageEncrypted=True, AllocatedStorage=20)
    original = rds.create_db_snapshot(DBInstanceIdentifier="orders", DBSnapshotIdentifier="orders-manual-1")["DBSnapshot"]["DBSnapshotIdentifier"]
sm = sfn.create_state_machine(name="share", definition=definition, roleArn="arn:aws:iam::123456789012:role/share")["stateMachineArn"]
ex = sfn.start_execution(stateMachineArn=sm, name="run-1", input=json.dumps({"snapshotId": original}))["executionArn"]
token = None; answered = False; during = []; status = "RUNNING"; d = {}
for _ in range(240):
    d = [e for e in sfn.list_executions(stateMachineArn=sm)["executions"] if e["executionArn"] == ex][0]
    status = d["status"]
    if status != "RUNNING":
        break
    if not answered:
        try:
            hist = sfn.get_execution_history(executionArn=ex)["events"]
        except Exception as e:
            hist = []
        for h in hist:
            det = h.get("taskScheduledEventDetails")
            if det and "putEvents" in det.get("resource", ""):
                params = json.loads(det["parameters"])
                token = params["Entries"][0]["Detail"]["taskToken"]
        if token:
            if kind == "EBS":
                mine = [x for x in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"] if x.get("Tags")]
                during = [{"id": x["SnapshotId"], "kms": x.get("KmsKeyId"), "tags": x.get("Tags", []),
                  "shares": ec2.describe_snapshot_attribute(SnapshotId=x["SnapshotId"], Attribute="createVolumePermission")["CreateVolumePermissions"]} for x in mine]
            else:
                mine = [x for x in rds.describe_db_snapshots()["DBSnapshots"] if x["DBSnapshotIdentifier"] != original]
                during = [{"id": x["DBSnapshotIdentifier"], "kms": x.get("KmsKeyId"), "tags": x.get("TagList", []),
                  "shares": rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=x["DBSnapshotIdentifier"])["DBSnapshotAttributesResult"]["DBSnapshotAttributes"]} for x in mine]
            sfn.send_task_success(taskToken=token, output=json.dumps({"status": "COPIED", "copyId": "copy-in-target"}))
            answered = True
    time.sleep(0.5)
try:
    hist = sfn.get_execution_history(executionArn=ex)["events"]
except Exception as e:
    hist = [{"type": "history unavailable: " + str(e)[:200]}]
if kind == "EBS":
    left = [{"id": s["SnapshotId"], "kms": s.get("KmsKeyId"), "tags": s.get("Tags", [])} for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]]
    shared = ec2.describe_snapshot_attribute(SnapshotId=original, Attribute="createVolumePermission")["CreateVolumePermissions"]
else:
    left = [{"id": s["DBSnapshotIdentifier"], "kms": s.get("KmsKeyId"), "tags": s.get("TagList", [])} for s in rds.describe_db_snapshots()["DBSnapshots"]]
    shared = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=original)["DBSnapshotAttributesResult"]["DBSnapshotAttributes"]
failed = [h for h in hist if h.get("type", "").endswith("Failed")]
left = [l for l in left if l["tags"] or l["id"] == original or l["kms"]]
print(json.dumps({"status": status, "original": original, "key": key, "answered": answered, "during": during, "left": left, "originalShares": shared,
  "types": [h.get("type") for h in hist], "failed": failed[:3]}, default=str))
server.stop()
