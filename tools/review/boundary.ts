/**
 * Which roles of a synthesized environment lack the platform's permissions boundary
 * (core/permissions-boundary.ts). Every aws_iam_role of every layer stack must carry it; the
 * bootstrap stack's CI roles are created by people and guarded by their own policies.
 */
export type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** `<stack> aws_iam_role.<name>` of every layer role whose permissions_boundary is not `boundaryArn`. */
export function rolesWithoutBoundary(stacks: ReadonlyMap<string, StackJson>, boundaryArn: string): string[] {
  const out: string[] = [];
  for (const [stack, json] of stacks) {
    if (stack === "bootstrap") continue;
    for (const [name, role] of Object.entries(json.resource?.aws_iam_role ?? {})) {
      if (role.permissions_boundary !== boundaryArn)
        out.push(`${stack} aws_iam_role.${name} (permissions_boundary ${JSON.stringify(role.permissions_boundary ?? null)})`);
    }
  }
  return out;
}
