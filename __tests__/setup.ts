import { Testing } from "cdktf";
// Types of cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
import "cdktf/lib/testing/adapters/jest";

// cdktf's jest matchers: toHaveResource, toHaveResourceWithProperties, toHaveDataSource, ...
Testing.setupJest();
