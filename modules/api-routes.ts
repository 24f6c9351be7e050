/**
 * Route and CORS shapes shared by the two API Gateway front doors (HttpApi, RestApi): layer 08 hands
 * the same GenAI routes and CORS settings to whichever API type the configuration picks.
 */
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { Construct } from "constructs";

/** A Lambda function behind `<METHOD> /<basePath>/<pathPart>`. */
export interface ApiLambdaRoute {
  /** Path segment under the base path, e.g. `genai` for `/api/genai`. */
  readonly pathPart: string;
  /** @default "POST" */
  readonly method?: string;
  /** Invoke ARN of the function or alias (`arn:aws:apigateway:<region>:lambda:path/.../invocations`); an HTTP API also takes the function ARN. */
  readonly invokeArn: string;
  /** Function name or ARN, for the Lambda permission. */
  readonly functionName: string;
  /** Alias or version the permission is granted on; must match the invoke ARN. @default unqualified */
  readonly qualifier?: string;
  /** Also route everything below the path (`<pathPart>/{proxy+}`, same method) to the function. @default false */
  readonly subPaths?: boolean;
}

export interface ApiCors {
  /** Allowed origins (`https://app.example.com`) or `["*"]`. Empty: no CORS. */
  readonly allowOrigins: readonly string[];
  /** @default GET, POST, PUT, PATCH, DELETE, OPTIONS */
  readonly allowMethods?: readonly string[];
  /** @default Content-Type, Authorization (a REST API adds X-Api-Key) */
  readonly allowHeaders?: readonly string[];
  /** @default 600 */
  readonly maxAgeSeconds?: number;
  /** @default false */
  readonly allowCredentials?: boolean;
}

/** What both API types take: the name, the routes, the stage, its throttling and CORS. */
export interface ApiProps<Backend> {
  /** API name. */
  readonly name: string;
  /** @default "HTTP API <name>" or "REST API <name>" */
  readonly description?: string;
  /** First path segment of every route. @default "api" */
  readonly basePath?: string;
  /** Backend of the `/<basePath>/{proxy+}` route (an HTTP API routes `ANY`). @default none: no proxy route */
  readonly backend?: Backend;
  /** @default none */
  readonly lambdaRoutes?: readonly ApiLambdaRoute[];
  /** Stage name; on an HTTP API `$default` serves at the API's root URL. */
  readonly stageName: string;
  /** Default throttling (a REST API: method settings `*\/*`, and the usage plan). @default 1000 rps, burst 2000 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default no CORS */
  readonly cors?: ApiCors;
}

/**
 * The defaults both API types apply to ApiProps: base path `api`, throttling of 1000 requests per
 * second with bursts of 2000, CORS only when it names an origin. Refuses a burst limit below the
 * rate limit (`where` names the construct in the error).
 */
export function apiDefaults(
  where: string,
  props: ApiProps<unknown>,
): { basePath: string; throttle: { rateLimit: number; burstLimit: number }; cors?: ApiCors } {
  const throttle = props.throttle ?? { rateLimit: 1000, burstLimit: 2000 };
  if (throttle.burstLimit < throttle.rateLimit) {
    throw new Error(`${where}: burst limit ${throttle.burstLimit} is below the rate limit ${throttle.rateLimit}`);
  }
  const cors = props.cors && props.cors.allowOrigins.length ? props.cors : undefined;
  return { basePath: props.basePath ?? "api", throttle, cors };
}

/**
 * The permission that lets API Gateway invoke a Lambda route's function (or its alias), only from
 * `sourceArn` (this API, one method and path). `statementId` is made one Lambda accepts: characters
 * other than letters, digits, `-` and `_` become `-`, and it is cut at 100 characters.
 */
export function apiLambdaPermission(
  scope: Construct,
  id: string,
  route: ApiLambdaRoute,
  statementId: string,
  sourceArn: string,
): LambdaPermission {
  return new LambdaPermission(scope, id, {
    statementId: statementId.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 100),
    action: "lambda:InvokeFunction",
    functionName: route.functionName,
    qualifier: route.qualifier,
    principal: "apigateway.amazonaws.com",
    sourceArn,
  });
}
