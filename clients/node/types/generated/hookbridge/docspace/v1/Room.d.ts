import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Employee as _hookbridge_docspace_v1_Employee, Employee__Output as _hookbridge_docspace_v1_Employee__Output } from '../../../hookbridge/docspace/v1/Employee';
import type { Long } from '@grpc/proto-loader';
/**
 * room.*: the room (RoomWebhookDto, the room half of the REST FolderDto
 * without logo, tags, lifetime and watermark; read those from
 * GET api/2.0/files/rooms/{id}).
 */
export interface Room {
    /**
     * The room id.
     */
    'id'?: (string);
    /**
     * The id of the rooms section (or archive) holding the room.
     */
    'parent_id'?: (string);
    'root_folder_id'?: (string);
    /**
     * The room name.
     */
    'title'?: (string);
    /**
     * FileEntryType: 1 (rooms are folders).
     */
    'file_entry_type'?: (number);
    /**
     * When the room was created, and by whom.
     */
    'created'?: (_google_protobuf_Timestamp | null);
    'created_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * When the room was last changed, and by whom.
     */
    'updated'?: (_google_protobuf_Timestamp | null);
    'updated_by'?: (_hookbridge_docspace_v1_Employee | null);
    /**
     * FolderType of the section root: 14 rooms, 20 archive.
     */
    'root_folder_type'?: (number);
    /**
     * FolderType of the enclosing room, if any.
     */
    'parent_room_type'?: (number);
    /**
     * Where the room was before it was archived or trashed.
     */
    'origin_id'?: (string);
    'origin_room_id'?: (string);
    'origin_title'?: (string);
    'origin_room_title'?: (string);
    /**
     * Whether the room is a connected third-party storage.
     */
    'provider_item'?: (boolean);
    /**
     * The third-party storage and its connection id.
     */
    'provider_key'?: (string);
    'provider_id'?: (number);
    /**
     * Position among pinned or indexed rooms.
     */
    'order'?: (number);
    /**
     * Files and folders directly inside.
     */
    'files_count'?: (number);
    'folders_count'?: (number);
    /**
     * FolderType of the room: 15 form filling, 16 collaboration, 19 custom,
     * 22 public, 29 virtual data room, 31 AI room.
     */
    'type'?: (number);
    /**
     * RoomType: 1 form filling, 2 collaboration, 5 custom, 6 public, 8 virtual
     * data room, 9 AI room.
     */
    'room_type'?: (number);
    /**
     * A private (end-to-end encrypted) room.
     */
    'is_private'?: (boolean);
    /**
     * Files are numbered (virtual data rooms).
     */
    'indexing'?: (boolean);
    /**
     * Downloading, printing and copying are denied.
     */
    'deny_download'?: (boolean);
    /**
     * Pinned to the top of the rooms list.
     */
    'pinned'?: (boolean);
    /**
     * The room's storage quota and use, in bytes.
     */
    'quota_limit'?: (number | string | Long);
    'used_space'?: (number | string | Long);
    /**
     * Cover colour (hex, e.g. "#4781D1") and cover name.
     */
    'color'?: (string);
    'cover'?: (string);
    /**
     * Older DocSpace versions (see File).
     */
    'root_id'?: (string);
    'create_by'?: (string);
    'create_on'?: (_google_protobuf_Timestamp | null);
    'modified_by'?: (string);
    'modified_on'?: (_google_protobuf_Timestamp | null);
}
/**
 * room.*: the room (RoomWebhookDto, the room half of the REST FolderDto
 * without logo, tags, lifetime and watermark; read those from
 * GET api/2.0/files/rooms/{id}).
 */
export interface Room__Output {
    /**
     * The room id.
     */
    'id': (string);
    /**
     * The id of the rooms section (or archive) holding the room.
     */
    'parent_id': (string);
    'root_folder_id': (string);
    /**
     * The room name.
     */
    'title': (string);
    /**
     * FileEntryType: 1 (rooms are folders).
     */
    'file_entry_type': (number);
    /**
     * When the room was created, and by whom.
     */
    'created': (_google_protobuf_Timestamp__Output | null);
    'created_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * When the room was last changed, and by whom.
     */
    'updated': (_google_protobuf_Timestamp__Output | null);
    'updated_by': (_hookbridge_docspace_v1_Employee__Output | null);
    /**
     * FolderType of the section root: 14 rooms, 20 archive.
     */
    'root_folder_type': (number);
    /**
     * FolderType of the enclosing room, if any.
     */
    'parent_room_type': (number);
    /**
     * Where the room was before it was archived or trashed.
     */
    'origin_id': (string);
    'origin_room_id': (string);
    'origin_title': (string);
    'origin_room_title': (string);
    /**
     * Whether the room is a connected third-party storage.
     */
    'provider_item': (boolean);
    /**
     * The third-party storage and its connection id.
     */
    'provider_key': (string);
    'provider_id': (number);
    /**
     * Position among pinned or indexed rooms.
     */
    'order': (number);
    /**
     * Files and folders directly inside.
     */
    'files_count': (number);
    'folders_count': (number);
    /**
     * FolderType of the room: 15 form filling, 16 collaboration, 19 custom,
     * 22 public, 29 virtual data room, 31 AI room.
     */
    'type': (number);
    /**
     * RoomType: 1 form filling, 2 collaboration, 5 custom, 6 public, 8 virtual
     * data room, 9 AI room.
     */
    'room_type': (number);
    /**
     * A private (end-to-end encrypted) room.
     */
    'is_private': (boolean);
    /**
     * Files are numbered (virtual data rooms).
     */
    'indexing': (boolean);
    /**
     * Downloading, printing and copying are denied.
     */
    'deny_download': (boolean);
    /**
     * Pinned to the top of the rooms list.
     */
    'pinned': (boolean);
    /**
     * The room's storage quota and use, in bytes.
     */
    'quota_limit': (string);
    'used_space': (string);
    /**
     * Cover colour (hex, e.g. "#4781D1") and cover name.
     */
    'color': (string);
    'cover': (string);
    /**
     * Older DocSpace versions (see File).
     */
    'root_id': (string);
    'create_by': (string);
    'create_on': (_google_protobuf_Timestamp__Output | null);
    'modified_by': (string);
    'modified_on': (_google_protobuf_Timestamp__Output | null);
}
