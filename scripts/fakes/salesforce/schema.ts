/**
 * The fake org's object model: what `GET /sobjects/<Object>/describe` answers, in the
 * shape of DescribeSObjectResult / Field from the REST API, with the field types a
 * real org mixes in one object (compound address and geolocation fields with their
 * components, base64, references with a relationship name, picklists, dates).
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'phone'
  | 'url'
  | 'email'
  | 'picklist'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'currency'
  | 'double'
  | 'int'
  | 'percent'
  | 'reference'
  | 'address'
  | 'location'
  | 'base64';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** The compound field (address or location) this field is a component of. */
  compoundFieldName?: string;
  /** reference: the parent object and the relationship used in `Parent.Field`. */
  referenceTo?: string[];
  relationshipName?: string;
  picklistValues?: string[];
  length?: number;
  precision?: number;
  scale?: number;
  custom?: boolean;
  nillable?: boolean;
  nameField?: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  fields: FieldDef[];
}

const audit: FieldDef[] = [
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', nillable: false },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', nillable: false },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', nillable: false },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', nillable: false },
];

const owner: FieldDef = {
  name: 'OwnerId',
  label: 'Owner ID',
  type: 'reference',
  referenceTo: ['User'],
  relationshipName: 'Owner',
  nillable: false,
};

function address(prefix: string, label: string): FieldDef[] {
  const compoundFieldName = `${prefix}Address`;
  return [
    { name: `${prefix}Street`, label: `${label} Street`, type: 'textarea', length: 255, compoundFieldName },
    { name: `${prefix}City`, label: `${label} City`, type: 'string', length: 40, compoundFieldName },
    {
      name: `${prefix}State`,
      label: `${label} State/Province`,
      type: 'string',
      length: 80,
      compoundFieldName,
    },
    {
      name: `${prefix}PostalCode`,
      label: `${label} Zip/Postal Code`,
      type: 'string',
      length: 20,
      compoundFieldName,
    },
    { name: `${prefix}Country`, label: `${label} Country`, type: 'string', length: 80, compoundFieldName },
    {
      name: `${prefix}Latitude`,
      label: `${label} Latitude`,
      type: 'double',
      precision: 18,
      scale: 15,
      compoundFieldName,
    },
    {
      name: `${prefix}Longitude`,
      label: `${label} Longitude`,
      type: 'double',
      precision: 18,
      scale: 15,
      compoundFieldName,
    },
    {
      name: `${prefix}GeocodeAccuracy`,
      label: `${label} Geocode Accuracy`,
      type: 'picklist',
      picklistValues: ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'City'],
      compoundFieldName,
    },
    { name: compoundFieldName, label: `${label} Address`, type: 'address' },
  ];
}

export const OBJECTS: Record<string, ObjectDef> = {
  Account: {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: '001',
    custom: false,
    fields: [
      { name: 'Id', label: 'Account ID', type: 'id', nillable: false },
      { name: 'Name', label: 'Account Name', type: 'string', length: 255, nillable: false, nameField: true },
      { name: 'Description', label: 'Account Description', type: 'textarea', length: 32000 },
      {
        name: 'Industry',
        label: 'Industry',
        type: 'picklist',
        picklistValues: ['Banking', 'Manufacturing', 'Retail', 'Technology', '製造業'],
      },
      { name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency', precision: 18, scale: 0 },
      { name: 'NumberOfEmployees', label: 'Employees', type: 'int', precision: 8, scale: 0 },
      { name: 'Phone', label: 'Account Phone', type: 'phone', length: 40 },
      { name: 'Website', label: 'Website', type: 'url', length: 255 },
      ...address('Billing', 'Billing'),
      {
        name: 'HQLocation__Latitude__s',
        label: 'HQ Location (Latitude)',
        type: 'double',
        precision: 9,
        scale: 6,
        compoundFieldName: 'HQLocation__c',
        custom: true,
      },
      {
        name: 'HQLocation__Longitude__s',
        label: 'HQ Location (Longitude)',
        type: 'double',
        precision: 9,
        scale: 6,
        compoundFieldName: 'HQLocation__c',
        custom: true,
      },
      { name: 'HQLocation__c', label: 'HQ Location', type: 'location', custom: true },
      { name: 'Active__c', label: 'Active', type: 'boolean', custom: true, nillable: false },
      { name: 'Founded__c', label: 'Founded', type: 'date', custom: true },
      { name: 'Discount__c', label: 'Discount', type: 'percent', precision: 5, scale: 2, custom: true },
      owner,
      ...audit,
    ],
  },
  Contact: {
    name: 'Contact',
    label: 'Contact',
    labelPlural: 'Contacts',
    keyPrefix: '003',
    custom: false,
    fields: [
      { name: 'Id', label: 'Contact ID', type: 'id', nillable: false },
      {
        name: 'AccountId',
        label: 'Account ID',
        type: 'reference',
        referenceTo: ['Account'],
        relationshipName: 'Account',
      },
      { name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', length: 40 },
      { name: 'Name', label: 'Full Name', type: 'string', length: 121, nillable: false, nameField: true },
      { name: 'Email', label: 'Email', type: 'email', length: 80 },
      { name: 'Phone', label: 'Business Phone', type: 'phone', length: 40 },
      { name: 'Birthdate', label: 'Birthdate', type: 'date' },
      { name: 'HasOptedOutOfEmail', label: 'Email Opt Out', type: 'boolean', nillable: false },
      ...address('Mailing', 'Mailing'),
      { name: 'Score__c', label: 'Score', type: 'double', precision: 18, scale: 4, custom: true },
      { name: 'LastContacted__c', label: 'Last Contacted', type: 'datetime', custom: true },
      owner,
      ...audit,
    ],
  },
  Attachment: {
    name: 'Attachment',
    label: 'Attachment',
    labelPlural: 'Attachments',
    keyPrefix: '00P',
    custom: false,
    fields: [
      { name: 'Id', label: 'Attachment ID', type: 'id', nillable: false },
      {
        name: 'ParentId',
        label: 'Parent ID',
        type: 'reference',
        referenceTo: ['Account', 'Contact'],
        relationshipName: 'Parent',
        nillable: false,
      },
      { name: 'Name', label: 'File Name', type: 'string', length: 255, nillable: false, nameField: true },
      { name: 'IsPrivate', label: 'Private', type: 'boolean', nillable: false },
      { name: 'ContentType', label: 'Content Type', type: 'string', length: 120 },
      { name: 'BodyLength', label: 'Body Length', type: 'int', precision: 9, scale: 0 },
      { name: 'Body', label: 'Body', type: 'base64', nillable: false },
      owner,
      ...audit,
    ],
  },
};

/** Users are parents only (Owner.Name); a handful is enough. */
export const USER_PREFIX = '005';
export const USER_NAMES = ['山田 太郎', 'Jane "JJ" Doe', 'Integration User', 'Ørsted, Anne', 'Li 李'];

/** SOAP types the describe `soapType` property reports for each field type. */
const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  email: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  currency: 'xsd:double',
  double: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  address: 'urn:address',
  location: 'urn:location',
  base64: 'xsd:base64Binary',
};

export function isCompound(field: FieldDef): boolean {
  return field.type === 'address' || field.type === 'location';
}

/** One Field entry of a DescribeSObjectResult, with the properties a client reads. */
export function describeField(field: FieldDef): Record<string, unknown> {
  const text = ['string', 'textarea', 'phone', 'url', 'email', 'picklist'].includes(field.type);
  const numeric = ['currency', 'double', 'percent', 'int'].includes(field.type);
  const auditField = ['IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'Id'].includes(
    field.name,
  );
  const compound = isCompound(field);
  const length = field.type === 'id' || field.type === 'reference' ? 18 : text ? (field.length ?? 255) : 0;
  return {
    aggregatable: !compound && field.type !== 'textarea' && field.type !== 'base64',
    autoNumber: false,
    byteLength: text || field.type === 'id' || field.type === 'reference' ? length * 3 : 0,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: field.compoundFieldName ?? null,
    createable: !auditField && !compound,
    custom: field.custom ?? false,
    defaultValue: null,
    defaultedOnCreate: auditField || field.type === 'boolean',
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? (field.precision ?? 9) : 0,
    displayLocationInDecimal: field.type === 'location',
    encrypted: false,
    externalId: false,
    extraTypeInfo: field.type === 'textarea' ? 'plaintextarea' : null,
    filterable: !compound && field.type !== 'base64' && field.type !== 'textarea',
    groupable: !compound && !numeric && !['textarea', 'base64', 'datetime'].includes(field.type),
    htmlFormatted: false,
    idLookup: field.type === 'id',
    label: field.label,
    length,
    name: field.name,
    nameField: field.nameField ?? false,
    namePointing: (field.referenceTo?.length ?? 0) > 1,
    nillable: field.nillable ?? true,
    permissionable: !auditField && (field.nillable ?? true),
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
    polymorphicForeignKey: (field.referenceTo?.length ?? 0) > 1,
    precision:
      field.type === 'currency' || field.type === 'double' || field.type === 'percent'
        ? (field.precision ?? 18)
        : 0,
    queryByDistance: field.type === 'location',
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    restrictedPicklist: false,
    scale: field.scale ?? 0,
    soapType: SOAP_TYPES[field.type],
    sortable: !compound && field.type !== 'textarea' && field.type !== 'base64',
    type: field.type,
    unique: false,
    updateable: !auditField && !compound,
  };
}

export function describeObject(object: ObjectDef, apiVersion: string): Record<string, unknown> {
  const base = `/services/data/v${apiVersion}/sobjects/${object.name}`;
  return {
    activateable: false,
    createable: true,
    custom: object.custom,
    customSetting: false,
    deletable: true,
    deprecatedAndHidden: false,
    feedEnabled: false,
    fields: object.fields.map(describeField),
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: true,
    mergeable: object.name !== 'Attachment',
    name: object.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: object.name !== 'Attachment',
    triggerable: true,
    undeletable: true,
    updateable: true,
    urls: {
      uiEditTemplate: `https://fake.my.salesforce.com/{ID}/e`,
      sobject: base,
      describe: `${base}/describe`,
      rowTemplate: `${base}/{ID}`,
    },
  };
}
