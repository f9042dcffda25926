// Every lint rule, one file each (id = file name). Adding a rule: write the
// file, add it here; tests/lint/rules.test.ts runs its cases.

import addingFieldWithDefault from "./adding-field-with-default.ts";
import addingNotNullableField from "./adding-not-nullable-field.ts";
import addingPrimaryKeyConstraint from "./adding-primary-key-constraint.ts";
import addingRequiredField from "./adding-required-field.ts";
import allowUnknownRule from "./allow-unknown-rule.ts";
import allowWithoutReason from "./allow-without-reason.ts";
import banAlterDomainWithAddConstraint from "./ban-alter-domain-with-add-constraint.ts";
import banCharField from "./ban-char-field.ts";
import banCreateDomainWithConstraint from "./ban-create-domain-with-constraint.ts";
import banDeleteWithoutWhere from "./ban-delete-without-where.ts";
import banDropColumn from "./ban-drop-column.ts";
import banDropDatabase from "./ban-drop-database.ts";
import banDropNotNull from "./ban-drop-not-null.ts";
import banDropSchema from "./ban-drop-schema.ts";
import banDropTable from "./ban-drop-table.ts";
import banDuplicateColumnAssignments from "./ban-duplicate-column-assignments.ts";
import banExplicitLock from "./ban-explicit-lock.ts";
import banTableRewrite from "./ban-table-rewrite.ts";
import banTruncate from "./ban-truncate.ts";
import banUpdateWithoutWhere from "./ban-update-without-where.ts";
import changingColumnType from "./changing-column-type.ts";
import constraintMissingNotValid from "./constraint-missing-not-valid.ts";
import disallowedUniqueConstraint from "./disallowed-unique-constraint.ts";
import doBlockDataChange from "./do-block-data-change.ts";
import enumValueUsedInTransaction from "./enum-value-used-in-transaction.ts";
import identifierTooLong from "./identifier-too-long.ts";
import mysqlChangingColumnType from "./mysql-changing-column-type.ts";
import mysqlImplicitCommit from "./mysql-implicit-commit.ts";
import mysqlRequireOnlineDdl from "./mysql-require-online-ddl.ts";
import preferBigintOverInt from "./prefer-bigint-over-int.ts";
import preferIdentity from "./prefer-identity.ts";
import preferJsonb from "./prefer-jsonb.ts";
import preferTextField from "./prefer-text-field.ts";
import preferTimestamptz from "./prefer-timestamptz.ts";
import renamingColumn from "./renaming-column.ts";
import renamingEnumValue from "./renaming-enum-value.ts";
import renamingSchema from "./renaming-schema.ts";
import renamingTable from "./renaming-table.ts";
import requireConcurrentIndexCreation from "./require-concurrent-index-creation.ts";
import requireConcurrentIndexDeletion from "./require-concurrent-index-deletion.ts";
import requireConcurrentPartitionDetach from "./require-concurrent-partition-detach.ts";
import requireConcurrentReindex from "./require-concurrent-reindex.ts";
import requireEnumValueOrdering from "./require-enum-value-ordering.ts";
import requireLockTimeout from "./require-lock-timeout.ts";
import requireNoTransaction from "./require-no-transaction.ts";
import requireStatementTimeout from "./require-statement-timeout.ts";
import sqliteForeignKeysOff from "./sqlite-foreign-keys-off.ts";
import sqliteUnsupportedAlter from "./sqlite-unsupported-alter.ts";
import syntaxError from "./syntax-error.ts";
import tableRebuildWithoutCopy from "./table-rebuild-without-copy.ts";
import transactionNesting from "./transaction-nesting.ts";
import unusedAllow from "./unused-allow.ts";
import validateInSameTransaction from "./validate-in-same-transaction.ts";

import type { Rule } from "../rule.ts";

export const RULES: Rule[] = [
  addingFieldWithDefault,
  addingNotNullableField,
  addingPrimaryKeyConstraint,
  addingRequiredField,
  allowUnknownRule,
  allowWithoutReason,
  banAlterDomainWithAddConstraint,
  banCharField,
  banCreateDomainWithConstraint,
  banDeleteWithoutWhere,
  banDropColumn,
  banDropDatabase,
  banDropNotNull,
  banDropSchema,
  banDropTable,
  banDuplicateColumnAssignments,
  banExplicitLock,
  banTableRewrite,
  banTruncate,
  banUpdateWithoutWhere,
  changingColumnType,
  constraintMissingNotValid,
  disallowedUniqueConstraint,
  doBlockDataChange,
  enumValueUsedInTransaction,
  identifierTooLong,
  mysqlChangingColumnType,
  mysqlImplicitCommit,
  mysqlRequireOnlineDdl,
  preferBigintOverInt,
  preferIdentity,
  preferJsonb,
  preferTextField,
  preferTimestamptz,
  renamingColumn,
  renamingEnumValue,
  renamingSchema,
  renamingTable,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentPartitionDetach,
  requireConcurrentReindex,
  requireEnumValueOrdering,
  requireLockTimeout,
  requireNoTransaction,
  requireStatementTimeout,
  sqliteForeignKeysOff,
  sqliteUnsupportedAlter,
  syntaxError,
  tableRebuildWithoutCopy,
  transactionNesting,
  unusedAllow,
  validateInSameTransaction,
];
