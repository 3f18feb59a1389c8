import type { Delivery as _hookbridge_docspace_v1_Delivery, Delivery__Output as _hookbridge_docspace_v1_Delivery__Output } from '../../../hookbridge/docspace/v1/Delivery';
import type { Webhook as _hookbridge_docspace_v1_Webhook, Webhook__Output as _hookbridge_docspace_v1_Webhook__Output } from '../../../hookbridge/docspace/v1/Webhook';
import type { User as _hookbridge_docspace_v1_User, User__Output as _hookbridge_docspace_v1_User__Output } from '../../../hookbridge/docspace/v1/User';
import type { Group as _hookbridge_docspace_v1_Group, Group__Output as _hookbridge_docspace_v1_Group__Output } from '../../../hookbridge/docspace/v1/Group';
import type { File as _hookbridge_docspace_v1_File, File__Output as _hookbridge_docspace_v1_File__Output } from '../../../hookbridge/docspace/v1/File';
import type { Folder as _hookbridge_docspace_v1_Folder, Folder__Output as _hookbridge_docspace_v1_Folder__Output } from '../../../hookbridge/docspace/v1/Folder';
import type { Room as _hookbridge_docspace_v1_Room, Room__Output as _hookbridge_docspace_v1_Room__Output } from '../../../hookbridge/docspace/v1/Room';
import type { Form as _hookbridge_docspace_v1_Form, Form__Output as _hookbridge_docspace_v1_Form__Output } from '../../../hookbridge/docspace/v1/Form';
export interface DocspaceEvent {
    /**
     * The delivery's `event` object.
     */
    'event'?: (_hookbridge_docspace_v1_Delivery | null);
    /**
     * The delivery's `webhook` object: the webhook configuration that sent it.
     */
    'webhook'?: (_hookbridge_docspace_v1_Webhook | null);
    /**
     * user.*
     */
    'user'?: (_hookbridge_docspace_v1_User | null);
    /**
     * group.*
     */
    'group'?: (_hookbridge_docspace_v1_Group | null);
    /**
     * file.*
     */
    'file'?: (_hookbridge_docspace_v1_File | null);
    /**
     * folder.*
     */
    'folder'?: (_hookbridge_docspace_v1_Folder | null);
    /**
     * room.*
     */
    'room'?: (_hookbridge_docspace_v1_Room | null);
    /**
     * form.*
     */
    'form'?: (_hookbridge_docspace_v1_Form | null);
    /**
     * agent.*: an AI agent is a room; DocSpace sends the Room payload
     */
    'agent'?: (_hookbridge_docspace_v1_Room | null);
    /**
     * The payload, by trigger group.
     */
    'payload'?: "user" | "group" | "file" | "folder" | "room" | "form" | "agent";
}
export interface DocspaceEvent__Output {
    /**
     * The delivery's `event` object.
     */
    'event': (_hookbridge_docspace_v1_Delivery__Output | null);
    /**
     * The delivery's `webhook` object: the webhook configuration that sent it.
     */
    'webhook': (_hookbridge_docspace_v1_Webhook__Output | null);
    /**
     * user.*
     */
    'user'?: (_hookbridge_docspace_v1_User__Output | null);
    /**
     * group.*
     */
    'group'?: (_hookbridge_docspace_v1_Group__Output | null);
    /**
     * file.*
     */
    'file'?: (_hookbridge_docspace_v1_File__Output | null);
    /**
     * folder.*
     */
    'folder'?: (_hookbridge_docspace_v1_Folder__Output | null);
    /**
     * room.*
     */
    'room'?: (_hookbridge_docspace_v1_Room__Output | null);
    /**
     * form.*
     */
    'form'?: (_hookbridge_docspace_v1_Form__Output | null);
    /**
     * agent.*: an AI agent is a room; DocSpace sends the Room payload
     */
    'agent'?: (_hookbridge_docspace_v1_Room__Output | null);
    /**
     * The payload, by trigger group.
     */
    'payload'?: "user" | "group" | "file" | "folder" | "room" | "form" | "agent";
}
