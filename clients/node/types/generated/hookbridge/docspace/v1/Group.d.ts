import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
/**
 * group.created, group.updated, group.deleted: the group (GroupWebhookDto, a
 * copy of the REST GroupDto without the member list; read it from
 * GET api/2.0/group/{id} when members_count changes).
 */
export interface Group {
    /**
     * The group id (GUID).
     */
    'id'?: (string);
    /**
     * The group name.
     */
    'name'?: (string);
    /**
     * The parent group id (GUID), if any.
     */
    'parent'?: (string);
    /**
     * The group category id (GUID).
     */
    'category'?: (string);
    /**
     * Imported from LDAP.
     */
    'is_ldap'?: (boolean);
    /**
     * A built-in system group.
     */
    'is_system'?: (boolean);
    /**
     * The group manager.
     */
    'manager'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * The number of members.
     */
    'members_count'?: (number);
}
/**
 * group.created, group.updated, group.deleted: the group (GroupWebhookDto, a
 * copy of the REST GroupDto without the member list; read it from
 * GET api/2.0/group/{id} when members_count changes).
 */
export interface Group__Output {
    /**
     * The group id (GUID).
     */
    'id': (string);
    /**
     * The group name.
     */
    'name': (string);
    /**
     * The parent group id (GUID), if any.
     */
    'parent': (string);
    /**
     * The group category id (GUID).
     */
    'category': (string);
    /**
     * Imported from LDAP.
     */
    'is_ldap': (boolean);
    /**
     * A built-in system group.
     */
    'is_system': (boolean);
    /**
     * The group manager.
     */
    'manager': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * The number of members.
     */
    'members_count': (number);
}
