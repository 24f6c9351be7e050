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


def main():
    from moto.server import main as moto_main

    print(f"emulator: moto {__import__('moto').__version__}; shims: {'; '.join(SHIMS) or 'none'}", file=sys.stderr, flush=True)
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
