"""AWS managed IAM policies exist in every account, as on AWS, without moto building all of them up front."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulation

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def test_an_aws_managed_policy_attaches_to_a_role(cloud):
    """AttachRolePolicy of AWSLambdaBasicExecutionRole succeeds in a new account (Terraform's
    aws_iam_role_policy_attachment); GetPolicy shows it with its AWS path."""
    iam = cloud.client("iam")
    iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="fn-role", PolicyArn=BASIC)
    attached = iam.list_attached_role_policies(RoleName="fn-role")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}]
    policy = iam.get_policy(PolicyArn=BASIC)["Policy"]
    assert (policy["Path"], policy["PolicyName"]) == ("/service-role/", "AWSLambdaBasicExecutionRole")


def test_an_unknown_aws_policy_is_no_such_entity(cloud):
    """AWS: an ARN naming no AWS managed policy (or the right name under a wrong path) is NoSuchEntity."""
    iam = cloud.client("iam")
    iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    for arn in (
        "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere",
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
    ):  # its path is /service-role/
        with pytest.raises(ClientError) as err:
            iam.attach_role_policy(RoleName="fn-role", PolicyArn=arn)
        assert err.value.response["Error"]["Code"] == "NoSuchEntity"
