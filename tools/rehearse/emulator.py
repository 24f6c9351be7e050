"""
The rehearsal's emulator: moto's server (moto 5.2.x) with a few small shims for gaps that would
otherwise stop a faithful deploy. Started by tools/rehearse.ts; usable by hand:

    MOTO_ACCOUNT_ID=111111111111 python3 tools/rehearse/emulator.py -H 127.0.0.1 -p 4566 -c cert.pem -k key.pem

Every shim is listed in SHIMS (printed at start-up) and in docs/rehearsal.md. A shim only makes
moto answer the way AWS documents; none of them changes what Terraform sends.
"""
import json
import os
import sys

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# ACM issues a DNS-validated certificate once its validation record exists; moto issues it after
# MOTO_ACM_VALIDATION_WAIT seconds (default 60), which the provider's certificate-validation waiter
# would sit through. The rehearsal proves the records and the order, not DNS propagation: issue at once.
os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")

SHIMS = []


def shim(name):
    def register(fn):
        try:
            fn()
            SHIMS.append(name)
        except Exception as e:  # a moto release without the patched function: say so, go on
            print(f"emulator: shim {name!r} not applied: {e}", file=sys.stderr)
        return fn

    return register


def _drops_secure_transport_false(statement):
    """True for a statement that applies only to plain-HTTP requests (aws:SecureTransport false)."""
    cond = statement.get("Condition") or {}
    if set(cond) != {"Bool"}:
        return False
    keys = {k.lower(): v for k, v in cond["Bool"].items()}
    if set(keys) != {"aws:securetransport"}:
        return False
    value = keys["aws:securetransport"]
    values = value if isinstance(value, list) else [value]
    return all(str(v).lower() == "false" for v in values)


@shim("s3 bucket policy: aws:SecureTransport is true (the server speaks TLS only)")
def _secure_transport():
    # moto evaluates bucket policies without their conditions, so the TLS-only Deny
    # (aws:SecureTransport = false) would deny every request. This server accepts nothing but TLS:
    # such a statement can never match, and is left out of the evaluation.
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        doc = json.loads(self.policy.decode())
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        doc["Statement"] = [s for s in statements if not _drops_secure_transport_false(s)]
        if not doc["Statement"]:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(doc)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


@shim("application-autoscaling: TagResource, UntagResource, ListTagsForResource (tags kept per target ARN)")
def _autoscaling_tags():
    # moto 5.2.1 has no tagging for scalable targets: ListTagsForResource answers 500, so the
    # provider cannot read back a target it created. Tags given at RegisterScalableTarget are kept.
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as R

    tags = {}
    register = R.register_scalable_target

    def register_scalable_target(self):
        body = register(self)
        arn = json.loads(body)["ScalableTargetARN"]
        tags.setdefault(arn, {}).update(self._get_param("Tags") or {})
        return body

    def list_tags_for_resource(self):
        return json.dumps({"Tags": tags.get(self._get_param("ResourceARN"), {})})

    def tag_resource(self):
        tags.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self):
        current = tags.setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            current.pop(key, None)
        return "{}"

    R.register_scalable_target = register_scalable_target
    R.list_tags_for_resource = list_tags_for_resource
    R.tag_resource = tag_resource
    R.untag_resource = untag_resource


@shim("cloudtrail: StartLogging and StopLogging accept the trail's ARN, as AWS documents")
def _cloudtrail_by_arn():
    # The provider starts logging with the trail's ARN; moto 5.2.1 looks the trail up by name only
    # there (500), although its get_trail resolves either.
    from moto.cloudtrail.models import CloudTrailBackend as B

    B.start_logging = lambda self, name: self.get_trail(name).start_logging()
    B.stop_logging = lambda self, name: self.get_trail(name).stop_logging()


@shim("ec2: a security group rule that names a peer group or prefix list keeps its Description")
def _sg_rule_descriptions():
    # moto 5.2.1 keeps a rule's description only for CIDR peers; DescribeSecurityGroupRules then
    # returns none for group and prefix-list peers, and every such rule would show a diff.
    from moto.ec2.models.security_groups import SecurityGroupRule as R

    init = R.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        prefix = kwargs.get("prefix_list_id") or (args[7] if len(args) > 7 else None)
        self._peer_description = (self.source_group or {}).get("Description") or (prefix or {}).get("Description")

    R.__init__ = __init__
    R.description = property(lambda self: self.ip_range.get("Description") or getattr(self, "_peer_description", None))


@shim("ecs: services keep capacityProviderStrategy, availabilityZoneRebalancing, enableECSManagedTags, healthCheckGracePeriodSeconds")
def _ecs_service_fields():
    # moto 5.2.1 drops these at CreateService/UpdateService: the provider would plan to replace
    # every service (a capacity provider strategy cannot be added in place) and update the others.
    from botocore import xform_name
    from moto.ecs.responses import EC2ContainerServiceResponse as R

    fields = ["capacityProviderStrategy", "availabilityZoneRebalancing", "enableECSManagedTags", "healthCheckGracePeriodSeconds"]

    def keep(original):
        def wrapper(self):
            result = original(self)
            service = result.result["service"]
            for field in fields:
                value = self._get_param(field)
                if value is not None:
                    setattr(service, xform_name(field), value)
            if getattr(service, "availability_zone_rebalancing", None) is None:
                service.availability_zone_rebalancing = "DISABLED"
            return result

        return wrapper

    R.create_service = keep(R.create_service)
    R.update_service = keep(R.update_service)


@shim("apigateway: integrations keep connectionId (VPC link)")
def _integration_connection_id():
    # moto 5.2.1 drops connectionId at PutIntegration, so a VPC_LINK integration reads back
    # without its link and every deployment that hashes it is replaced on the next plan.
    from moto.apigateway.models import Integration
    from moto.apigateway.responses import APIGatewayResponse as R

    to_json = Integration.to_json

    def integration_json(self):
        out = to_json(self)
        if getattr(self, "connection_id", None):
            out["connectionId"] = self.connection_id
        return out

    put = R.put_integration

    def put_integration(self):
        status, headers, _ = put(self)
        parts = self.path.split("/")
        integration = self.backend.get_integration(parts[2], parts[4], parts[6])
        integration.connection_id = self._get_param("connectionId")
        return status, headers, json.dumps(integration.to_json())

    Integration.to_json = integration_json
    R.put_integration = put_integration


@shim("lambda: functions keep LoggingConfig (default Text to /aws/lambda/<name>, as AWS returns)")
def _lambda_logging_config():
    from moto.awslambda.models import LambdaFunction as F

    init = F.__init__

    def __init__(self, account_id, spec, *args, **kwargs):
        init(self, account_id, spec, *args, **kwargs)
        self.logging_config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{spec.get('FunctionName')}", **(spec.get("LoggingConfig") or {})}

    get_configuration = F.get_configuration

    def configuration(self, *args, **kwargs):
        out = get_configuration(self, *args, **kwargs)
        if getattr(self, "logging_config", None):
            out["LoggingConfig"] = self.logging_config
        return out

    update_configuration = F.update_configuration

    def update(self, config_updates):
        if config_updates.get("LoggingConfig"):
            self.logging_config = {**getattr(self, "logging_config", {}), **config_updates["LoggingConfig"]}
        return update_configuration(self, config_updates)

    F.__init__ = __init__
    F.get_configuration = configuration
    F.update_configuration = update


@shim("apigateway: UpdateAccount may clear cloudwatchRoleArn (what a destroy of aws_api_gateway_account sends)")
def _apigateway_account_reset():
    # The provider resets the account's CloudWatch role with a patch operation without a value;
    # moto 5.2.1 reads op["value"] and answers 500, so the api-gateway layer could not be destroyed.
    from moto.apigateway.models import Account

    apply = Account.apply_patch_operations

    def apply_patch_operations(self, patch_operations):
        rest = []
        for op in patch_operations:
            if "/cloudwatchRoleArn" in op["path"]:
                self.cloudwatch_role_arn = op.get("value") or None
            else:
                rest.append(op)
        return apply(self, rest)

    Account.apply_patch_operations = apply_patch_operations


@shim("secretsmanager: CancelRotateSecret works on a secret rotated by its owning service (RDS-managed, no Lambda)")
def _managed_rotation_cancel():
    # An RDS-managed master secret rotates without a Lambda function; moto 5.2.1 refuses to cancel
    # a rotation that has none, so the database layer could not be destroyed.
    from moto.secretsmanager.models import SecretsManagerBackend as B

    cancel = B.cancel_rotate_secret

    def cancel_rotate_secret(self, secret_id):
        try:
            secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        except KeyError:
            secret = None
        if secret is not None and not getattr(secret, "rotation_lambda_arn", None) and str(getattr(secret, "name", "")).startswith("rds!"):
            secret.rotation_enabled = False
            return secret.to_short_dict()
        return cancel(self, secret_id)

    B.cancel_rotate_secret = cancel_rotate_secret


@shim("lambda: functions are invoked without Docker (no container runtime here): Invoke answers moto's canned result, the code does not run")
def _lambda_without_docker():
    # aws_lambda_invocation (layer 03's database user provisioner) invokes at apply time; moto runs
    # functions in Docker, which this machine has not. The function itself is tested in jest; the
    # rehearsal proves the resources and their order, not the SQL (docs/rehearsal.md).
    from moto.core.config import default_user_config

    default_user_config["lambda"]["use_docker"] = False


@shim("sqs: SetQueueAttributes changes only the attributes it names (keeps Policy) and RedriveAllowPolicy is kept and returned")
def _sqs_attributes():
    # moto 5.2.1 clears a queue's Policy on every SetQueueAttributes that does not name it, and
    # keeps RedriveAllowPolicy without ever returning it: the provider's aws_sqs_queue_redrive_allow_policy
    # then polls for its own value until its timeout, and a queue policy set before it is lost.
    from moto.sqs.models import Queue

    set_attributes = Queue._set_attributes

    def _set_attributes(self, attributes, now=None):
        policy = getattr(self, "policy", None)
        set_attributes(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = policy

    attributes = Queue.attributes.fget

    def all_attributes(self):
        out = attributes(self)
        out.pop("RedriveAllowPolicy", None)
        value = getattr(self, "redrive_allow_policy", None)
        if value:
            out["RedriveAllowPolicy"] = value
        return out

    Queue.redrive_allow_policy = None  # a queue without one reads None, not AttributeError
    Queue._set_attributes = _set_attributes
    Queue.attributes = property(all_attributes)
    if "RedriveAllowPolicy" not in Queue.KMS_ATTRIBUTES:
        # the names GetQueueAttributes accepts (it answers with those the queue has)
        Queue.KMS_ATTRIBUTES = [*Queue.KMS_ATTRIBUTES, "RedriveAllowPolicy"]


@shim("sesv2: GetConfigurationSet answers SendingOptions.SendingEnabled as a boolean")
def _sesv2_sending_options():
    # moto 5.2.1 keeps the whole SendingOptions object as `enabled` and answers
    # {"SendingEnabled": {"SendingEnabled": true}}, which the provider cannot decode.
    from moto.ses.models import ConfigurationSet

    to_dict_v2 = ConfigurationSet.to_dict_v2

    def fixed(self):
        out = to_dict_v2(self)
        enabled = (out.get("SendingOptions") or {}).get("SendingEnabled")
        if isinstance(enabled, dict):
            out["SendingOptions"] = {"SendingEnabled": enabled.get("SendingEnabled", True)}
        elif enabled is None:
            out["SendingOptions"] = {"SendingEnabled": True}
        return out

    ConfigurationSet.to_dict_v2 = fixed


@shim("sesv2: a domain identity answers its three Easy DKIM tokens, and DKIM timestamps as epoch seconds")
def _sesv2_dkim():
    # moto 5.2.1 answers LastKeyGenerationTimestamp as an ISO string (the provider cannot decode
    # CreateEmailIdentity) and no Tokens, which the kit's three DKIM CNAME records are made from.
    # AWS returns three tokens for a domain identity with Easy DKIM.
    import hashlib
    from datetime import datetime

    from moto.ses.models import EmailIdentity

    init = EmailIdentity.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        attrs = self.dkim_attributes
        for key in ("LastKeyGenerationTimestamp", "NextSigningKeyGenerationTimestamp"):
            if isinstance(attrs.get(key), str):
                attrs[key] = datetime.fromisoformat(attrs[key].replace("Z", "+00:00")).timestamp()
        if "@" not in self.email_identity and not attrs.get("Tokens"):
            digest = hashlib.sha256(self.email_identity.encode()).hexdigest()
            attrs["Tokens"] = [digest[i * 16 : i * 16 + 16] for i in range(3)]

    EmailIdentity.__init__ = __init__


@shim("rds: DescribeDBParameters answers Source 'user' for a parameter set by Create/ModifyDBParameterGroup")
def _rds_parameter_source():
    # AWS answers every parameter with its Source (user, system or engine-default); moto 5.2.1
    # answers none, and the provider keeps only parameters whose Source it can read: every
    # parameter of aws_db_parameter_group read back as missing and was planned again.
    from moto.rds.models import DBParameterGroup as G

    update = G.update_parameters

    def update_parameters(self, new_parameters):
        update(self, new_parameters)
        for new_parameter in new_parameters:
            self.parameters[new_parameter["ParameterName"]].setdefault("Source", "user")

    G.update_parameters = update_parameters


@shim("lambda: an event source mapping made with an alias ARN answers that alias ARN as FunctionArn")
def _esm_alias_arn():
    # AWS keeps the qualified ARN an event source mapping was created with (a mapping on an alias
    # follows the alias); moto 5.2.1 resolves the alias and answers the version's ARN.
    from moto.awslambda.models import LambdaBackend as B

    def keep_alias(esm, given):
        parts = (given or "").split(":")
        if esm is not None and given.startswith("arn:") and len(parts) == 8 and not parts[7].isdigit() and parts[7] != "$LATEST":
            esm.function_arn = given
        return esm

    create = B.create_event_source_mapping
    update = B.update_event_source_mapping
    B.create_event_source_mapping = lambda self, spec: keep_alias(create(self, spec), spec.get("FunctionName", ""))
    B.update_event_source_mapping = lambda self, uuid, spec: keep_alias(update(self, uuid, spec), spec.get("FunctionName", ""))


@shim("sesv2: GetConfigurationSet leaves out TrackingOptions and VdmOptions never set (moto answers empty objects)")
def _sesv2_unset_options():
    from moto.ses.models import ConfigurationSet

    to_dict_v2 = ConfigurationSet.to_dict_v2

    def without_empty(self):
        out = to_dict_v2(self)
        for key in ("TrackingOptions", "VdmOptions"):
            if not out.get(key):
                out.pop(key, None)
        return out

    ConfigurationSet.to_dict_v2 = without_empty


@shim("sqs: GetQueueAttributes answers RedrivePolicy as compact JSON, as AWS does")
def _sqs_compact_redrive_policy():
    # moto 5.2.1 re-serialises the policy with Python's default separators (", " and ": "); AWS
    # answers it compact, and the provider showed a whitespace-only diff on every queue with a DLQ.
    from moto.sqs.models import Queue

    attributes = Queue.attributes.fget

    def compact(self):
        out = attributes(self)
        if out.get("RedrivePolicy") and isinstance(self.redrive_policy, dict):
            out["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return out

    Queue.attributes = property(compact)


SEED_REFERENCE = "rehearsal-seed:"


@shim("route53: CreateHostedZone with CallerReference 'rehearsal-seed:<id>' keeps that id (seeds a zone that exists before the kit)")
def _route53_seeded_zone_id():
    # The examples name hosted zones that exist before the kit (hostedZoneId in their config);
    # moto chooses zone ids itself, so the rehearsal could not create the zone the records name.
    # Only the rehearsal's own seeding sends this caller reference; Terraform never does.
    from moto.route53.models import Route53Backend as B

    create = B.create_hosted_zone

    def create_hosted_zone(self, name, private_zone, caller_reference=None, *args, **kwargs):
        zone = create(self, name, private_zone, caller_reference, *args, **kwargs)
        if caller_reference and caller_reference.startswith(SEED_REFERENCE):
            wanted = caller_reference[len(SEED_REFERENCE):]
            if wanted and wanted not in self.zones:
                del self.zones[zone.resource_id]
                zone.resource_id = wanted
                self.zones[wanted] = zone
        return zone

    B.create_hosted_zone = create_hosted_zone


def main():
    from moto.server import main as moto_main

    print(f"emulator: moto {__import__('moto').__version__}; shims: {'; '.join(SHIMS) or 'none'}", file=sys.stderr, flush=True)
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
