/**
 * Salesforce name rules, apart from ./config so that a module needing only a rule (the runs
 * ledger's manual-trigger schema) does not build the extraction's configuration schemas at
 * import: every function that writes the ledger would pay for them at cold start.
 */

/** Salesforce API names: letters, digits, underscores (custom objects end in __c). */
export const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A field, or a parent field through relationship names (`Owner.Name`, `Account.Owner.Email`). */
export const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}$/;
