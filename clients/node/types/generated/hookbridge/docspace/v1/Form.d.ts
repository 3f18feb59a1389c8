import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
import type { File as _hookbridge_docspace_v1_File, File__Output as _hookbridge_docspace_v1_File__Output } from '../../../hookbridge/docspace/v1/File';
import type { Long } from '@grpc/proto-loader';
/**
 * form.*: form.filled.out and form.stopped send the form file itself (the
 * File fields, repeated here with File's numbers); form.submit sends the
 * pair {originalForm, submittedForm} instead and leaves the File fields
 * unset.
 */
export interface Form {
    'id'?: (string);
    'parent_id'?: (string);
    'root_folder_id'?: (string);
    'title'?: (string);
    'file_entry_type'?: (number);
    'created'?: (_google_protobuf_Timestamp | null);
    'created_by'?: (_hookbridge_docspace_v1_Employee | null);
    'updated'?: (_google_protobuf_Timestamp | null);
    'updated_by'?: (_hookbridge_docspace_v1_Employee | null);
    'root_folder_type'?: (number);
    'parent_room_type'?: (number);
    'origin_id'?: (string);
    'origin_room_id'?: (string);
    'origin_title'?: (string);
    'origin_room_title'?: (string);
    'provider_item'?: (boolean);
    'provider_key'?: (string);
    'provider_id'?: (number);
    'order'?: (number);
    'version'?: (number | string | Long);
    'version_group'?: (number | string | Long);
    'content_length'?: (number | string | Long);
    'file_type'?: (number);
    'file_exst'?: (string);
    'comment'?: (string);
    'view_url'?: (string);
    'web_url'?: (string);
    'encrypted'?: (boolean);
    'locked'?: (boolean);
    'locked_by'?: (string);
    'is_form'?: (boolean);
    'is_pdf'?: (boolean);
    'custom_filter_enabled'?: (boolean);
    'custom_filter_enabled_by'?: (string);
    'last_opened'?: (_google_protobuf_Timestamp | null);
    'vectorization_status'?: (number);
    'root_id'?: (string);
    'create_by'?: (string);
    'create_on'?: (_google_protobuf_Timestamp | null);
    'modified_by'?: (string);
    'modified_on'?: (_google_protobuf_Timestamp | null);
    /**
     * form.submit: the form that was filled in (also webhook.target for a
     * webhook restricted to one form; the event's subject).
     */
    'original_form'?: (_hookbridge_docspace_v1_File | null);
    /**
     * form.submit: the filled-in copy that was submitted.
     */
    'submitted_form'?: (_hookbridge_docspace_v1_File | null);
}
/**
 * form.*: form.filled.out and form.stopped send the form file itself (the
 * File fields, repeated here with File's numbers); form.submit sends the
 * pair {originalForm, submittedForm} instead and leaves the File fields
 * unset.
 */
export interface Form__Output {
    'id': (string);
    'parent_id': (string);
    'root_folder_id': (string);
    'title': (string);
    'file_entry_type': (number);
    'created': (_google_protobuf_Timestamp__Output | null);
    'created_by': (_hookbridge_docspace_v1_Employee__Output | null);
    'updated': (_google_protobuf_Timestamp__Output | null);
    'updated_by': (_hookbridge_docspace_v1_Employee__Output | null);
    'root_folder_type': (number);
    'parent_room_type': (number);
    'origin_id': (string);
    'origin_room_id': (string);
    'origin_title': (string);
    'origin_room_title': (string);
    'provider_item': (boolean);
    'provider_key': (string);
    'provider_id': (number);
    'order': (number);
    'version': (string);
    'version_group': (string);
    'content_length': (string);
    'file_type': (number);
    'file_exst': (string);
    'comment': (string);
    'view_url': (string);
    'web_url': (string);
    'encrypted': (boolean);
    'locked': (boolean);
    'locked_by': (string);
    'is_form': (boolean);
    'is_pdf': (boolean);
    'custom_filter_enabled': (boolean);
    'custom_filter_enabled_by': (string);
    'last_opened': (_google_protobuf_Timestamp__Output | null);
    'vectorization_status': (number);
    'root_id': (string);
    'create_by': (string);
    'create_on': (_google_protobuf_Timestamp__Output | null);
    'modified_by': (string);
    'modified_on': (_google_protobuf_Timestamp__Output | null);
    /**
     * form.submit: the form that was filled in (also webhook.target for a
     * webhook restricted to one form; the event's subject).
     */
    'original_form': (_hookbridge_docspace_v1_File__Output | null);
    /**
     * form.submit: the filled-in copy that was submitted.
     */
    'submitted_form': (_hookbridge_docspace_v1_File__Output | null);
}
