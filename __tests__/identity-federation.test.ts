/**
 * Layer 09 with the other shapes of federation and the identity pool (the business suite covers
 * the defaults): a custom Facebook secret name and Graph API version, a secrets version that
 * re-invokes the provisioner, guests with their own role (trusted for unauthenticated identities of
 * this pool only), read-only bucket grants; and nothing of it without the keys.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { NativeStack } from "../layers/09-native/stack";
import { resource, resources, synth } from "./helpers";

const ROOT = path.resolve(__dirname, "..");

describe("federation and identity pool variants", () => {
  const cfg = loadConfigFile("__tests__/fixtures/config/native/federation-valid.yaml", ROOT).config;
  const { tf } = synth(NativeStack, cfg);

  it("the provisioner gets the custom secret name, the Graph API version and re-runs on a new secrets version", () => {
    const invocation = resource(tf, "aws_lambda_invocation", "identity_providers_invocation");
    expect(invocation.triggers).toMatchObject({ secrets: "2026-01" });
    const input = JSON.parse(String(invocation.input)) as { providers: Array<Record<string, unknown>> };
    expect(input.providers[1]).toMatchObject({ name: "Facebook", secretId: "shared/facebook-app", apiVersion: "v19.0" });
    expect(input.providers[0].attributeMapping).toEqual({ email: "email", username: "sub", "custom:tenantId": "hd" });
    const read = JSON.parse(String(resource(tf, "aws_iam_role_policy", "identity_providers_role_client_secrets").policy)).Statement[0];
    expect(read.Resource).toEqual([
      "arn:aws:secretsmanager:us-west-2:111111111111:secret:petclinic-dev/cognito/google-??????",
      "arn:aws:secretsmanager:us-west-2:111111111111:secret:shared/facebook-app-??????",
    ]);
  });

  it("guests: the pool allows them and attaches a guest role trusted for this pool's unauthenticated identities only", () => {
    expect(resource(tf, "aws_cognito_identity_pool", "identity_pool").allow_unauthenticated_identities).toBe(true);
    expect(resource(tf, "aws_cognito_identity_pool_roles_attachment", "identity_pool_roles").roles).toEqual({
      authenticated: "${aws_iam_role.identity_pool_authenticated.arn}",
      unauthenticated: "${aws_iam_role.identity_pool_unauthenticated.arn}",
    });
    const guest = resource(tf, "aws_iam_role", "identity_pool_unauthenticated");
    expect(guest.name).toBe("petclinic-dev-identity-unauthenticated");
    expect(JSON.parse(String(guest.assume_role_policy)).Statement[0].Condition).toEqual({
      StringEquals: { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.identity_pool.id}" },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
    });
    // Guests get no policy: only signed-in users reach the bucket.
    expect(Object.keys(resources(tf, "aws_iam_role_policy")).filter((k) => k.startsWith("identity_pool_"))).toEqual([
      "identity_pool_authenticated_bucket_docs",
    ]);
  });

  it("read grants list and read the user's own prefix, decrypt only", () => {
    const statements = JSON.parse(String(resource(tf, "aws_iam_role_policy", "identity_pool_authenticated_bucket_docs").policy)).Statement;
    expect(statements.map((s: { Sid: string; Action: unknown }) => [s.Sid, s.Action])).toEqual([
      ["ListOwnPrefix", "s3:ListBucket"],
      ["ReadOwnObjects", ["s3:GetObject"]],
      ["BucketKeyThroughS3", ["kms:Decrypt"]],
    ]);
  });

  it("a user pool without federation and identity pool: no provisioner, no pool, the client offers Cognito only", () => {
    const plain = loadConfigFile("__tests__/fixtures/config/native/callback-valid.yaml", ROOT).config;
    const dev = synth(NativeStack, plain).tf;
    expect(resources(dev, "aws_lambda_invocation")).toEqual({});
    expect(resources(dev, "aws_cognito_identity_pool")).toEqual({});
    expect(resource(dev, "aws_cognito_user_pool_client", "cognito_spa_client").supported_identity_providers).toEqual(["COGNITO"]);
  });
});
