import type { Contact as _hookbridge_docspace_v1_Contact, Contact__Output as _hookbridge_docspace_v1_Contact__Output } from '../../../hookbridge/docspace/v1/Contact';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { GroupSummary as _hookbridge_docspace_v1_GroupSummary, GroupSummary__Output as _hookbridge_docspace_v1_GroupSummary__Output } from '../../../hookbridge/docspace/v1/GroupSummary';
import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
import type { Long } from '@grpc/proto-loader';
/**
 * user.created, user.invited, user.updated, user.deleted: the user
 * (UserWebhookDto, a copy of the REST EmployeeFullDto without per-caller and
 * session fields). DocSpace versions before the webhook DTOs sent the
 * internal UserInfo instead, whose `contacts` (a string) and `createdBy` (a
 * GUID) do not fit this message: such deliveries arrive untyped with
 * decode_error set.
 */
export interface User {
    /**
     * The user id (GUID).
     */
    'id'?: (string);
    /**
     * The display name, HTML-encoded, in the portal's name format.
     */
    'display_name'?: (string);
    /**
     * Given name and family name.
     */
    'first_name'?: (string);
    'last_name'?: (string);
    /**
     * The login name.
     */
    'user_name'?: (string);
    /**
     * The e-mail address (also the login).
     */
    'email'?: (string);
    /**
     * Phone numbers, messengers and other contacts.
     */
    'contacts'?: (_hookbridge_docspace_v1_Contact)[];
    /**
     * EmployeeStatus: 1 active, 2 terminated (disabled), 4 pending.
     */
    'status'?: (number);
    /**
     * EmployeeActivationStatus flags: 0 not activated, 1 activated, 2 pending
     * (invitation not accepted yet).
     */
    'activation_status'?: (number);
    /**
     * When the user was disabled.
     */
    'terminated'?: (_google_protobuf_Timestamp | null);
    /**
     * The names of the user's groups, comma-separated and HTML-encoded.
     */
    'department'?: (string);
    /**
     * The groups the user belongs to.
     */
    'groups'?: (_hookbridge_docspace_v1_GroupSummary)[];
    /**
     * Free-text location and notes from the profile.
     */
    'location'?: (string);
    'notes'?: (string);
    /**
     * DocSpace administrator (not the owner).
     */
    'is_admin'?: (boolean);
    /**
     * Room administrator.
     */
    'is_room_admin'?: (boolean);
    /**
     * The portal owner.
     */
    'is_owner'?: (boolean);
    /**
     * A guest.
     */
    'is_visitor'?: (boolean);
    /**
     * A user with limited rights ("User" type).
     */
    'is_collaborator'?: (boolean);
    /**
     * Imported from LDAP.
     */
    'is_ldap'?: (boolean);
    /**
     * Signs in through SSO.
     */
    'is_sso'?: (boolean);
    /**
     * Ids of the product modules the user administers.
     */
    'list_admin_modules'?: (string)[];
    /**
     * The user's culture, e.g. "en-US".
     */
    'culture_name'?: (string);
    /**
     * The phone number used for two-factor sign-in.
     */
    'mobile_phone'?: (string);
    /**
     * MobilePhoneActivationStatus: 0 not activated, 1 activated.
     */
    'mobile_phone_activation_status'?: (number);
    /**
     * The user's storage quota in bytes (-1: unlimited); only with quotas on.
     */
    'quota_limit'?: (number | string | Long);
    /**
     * Storage used by the user, in bytes.
     */
    'used_space'?: (number | string);
    /**
     * Whether the quota was set for this user rather than by default.
     */
    'is_custom_quota'?: (boolean);
    /**
     * Who created (invited) the user.
     */
    'created_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * When the user registered.
     */
    'registration_date'?: (_google_protobuf_Timestamp | null);
    /**
     * Whether the user uploaded a photo (else the avatars are the default).
     */
    'has_avatar'?: (boolean);
    /**
     * Avatar URLs by size.
     */
    'avatar'?: (string);
    'avatar_original'?: (string);
    'avatar_max'?: (string);
    'avatar_medium'?: (string);
    'avatar_small'?: (string);
    /**
     * URL of the user's profile page.
     */
    'profile_url'?: (string);
}
/**
 * user.created, user.invited, user.updated, user.deleted: the user
 * (UserWebhookDto, a copy of the REST EmployeeFullDto without per-caller and
 * session fields). DocSpace versions before the webhook DTOs sent the
 * internal UserInfo instead, whose `contacts` (a string) and `createdBy` (a
 * GUID) do not fit this message: such deliveries arrive untyped with
 * decode_error set.
 */
export interface User__Output {
    /**
     * The user id (GUID).
     */
    'id': (string);
    /**
     * The display name, HTML-encoded, in the portal's name format.
     */
    'display_name': (string);
    /**
     * Given name and family name.
     */
    'first_name': (string);
    'last_name': (string);
    /**
     * The login name.
     */
    'user_name': (string);
    /**
     * The e-mail address (also the login).
     */
    'email': (string);
    /**
     * Phone numbers, messengers and other contacts.
     */
    'contacts': (_hookbridge_docspace_v1_Contact__Output)[];
    /**
     * EmployeeStatus: 1 active, 2 terminated (disabled), 4 pending.
     */
    'status': (number);
    /**
     * EmployeeActivationStatus flags: 0 not activated, 1 activated, 2 pending
     * (invitation not accepted yet).
     */
    'activation_status': (number);
    /**
     * When the user was disabled.
     */
    'terminated': (_google_protobuf_Timestamp__Output | null);
    /**
     * The names of the user's groups, comma-separated and HTML-encoded.
     */
    'department': (string);
    /**
     * The groups the user belongs to.
     */
    'groups': (_hookbridge_docspace_v1_GroupSummary__Output)[];
    /**
     * Free-text location and notes from the profile.
     */
    'location': (string);
    'notes': (string);
    /**
     * DocSpace administrator (not the owner).
     */
    'is_admin': (boolean);
    /**
     * Room administrator.
     */
    'is_room_admin': (boolean);
    /**
     * The portal owner.
     */
    'is_owner': (boolean);
    /**
     * A guest.
     */
    'is_visitor': (boolean);
    /**
     * A user with limited rights ("User" type).
     */
    'is_collaborator': (boolean);
    /**
     * Imported from LDAP.
     */
    'is_ldap': (boolean);
    /**
     * Signs in through SSO.
     */
    'is_sso': (boolean);
    /**
     * Ids of the product modules the user administers.
     */
    'list_admin_modules': (string)[];
    /**
     * The user's culture, e.g. "en-US".
     */
    'culture_name': (string);
    /**
     * The phone number used for two-factor sign-in.
     */
    'mobile_phone': (string);
    /**
     * MobilePhoneActivationStatus: 0 not activated, 1 activated.
     */
    'mobile_phone_activation_status': (number);
    /**
     * The user's storage quota in bytes (-1: unlimited); only with quotas on.
     */
    'quota_limit': (string);
    /**
     * Storage used by the user, in bytes.
     */
    'used_space': (number);
    /**
     * Whether the quota was set for this user rather than by default.
     */
    'is_custom_quota': (boolean);
    /**
     * Who created (invited) the user.
     */
    'created_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * When the user registered.
     */
    'registration_date': (_google_protobuf_Timestamp__Output | null);
    /**
     * Whether the user uploaded a photo (else the avatars are the default).
     */
    'has_avatar': (boolean);
    /**
     * Avatar URLs by size.
     */
    'avatar': (string);
    'avatar_original': (string);
    'avatar_max': (string);
    'avatar_medium': (string);
    'avatar_small': (string);
    /**
     * URL of the user's profile page.
     */
    'profile_url': (string);
}
