// The data model of a driver's store (model.ts), by its capabilities.data.

import type { Scenario } from "../config.ts";
import { isKeyspaceDriver, type Migrator, type ScratchRef, type SqlDriver } from "../stores/contract.ts";
import { keyspaceModel } from "./keyspace-model.ts";
import type { DataModel, ModelOptions } from "./model.ts";
import { relationalModel } from "./relational-model.ts";

export function modelOf(
  driver: Migrator,
  opts: ModelOptions & { scratch?: ScratchRef; scenario?: Scenario },
): DataModel {
  return isKeyspaceDriver(driver) ? keyspaceModel(driver, opts) : relationalModel(driver as SqlDriver, opts);
}
