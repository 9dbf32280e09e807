// The inventory: every operation of the User Admin API this project
// describes, with the docs era it first appears in. `seed-003` is the
// newest seed capture (../shared/seeds/003_*), `current` the Synapse 1.157
// documentation (../shared/upstream/user_admin_api.md).
export interface InventoryRow {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  operationId: string;
  era: 'seed-003' | 'current';
}

export const INVENTORY: InventoryRow[] = [
  { method: 'GET', path: '/_synapse/admin/v2/users/{user_id}', operationId: 'getUser', era: 'seed-003' },
  { method: 'PUT', path: '/_synapse/admin/v2/users/{user_id}', operationId: 'createOrModifyUser', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v2/users', operationId: 'listUsers', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/whois/{user_id}', operationId: 'getWhois', era: 'seed-003' },
  { method: 'GET', path: '/_matrix/client/r0/admin/whois/{userId}', operationId: 'getWhoisClientApi', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v1/deactivate/{user_id}', operationId: 'deactivateUser', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v1/reset_password/{user_id}', operationId: 'resetPassword', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/admin', operationId: 'getServerAdminStatus', era: 'seed-003' },
  { method: 'PUT', path: '/_synapse/admin/v1/users/{user_id}/admin', operationId: 'setServerAdminStatus', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/joined_rooms', operationId: 'listJoinedRooms', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/accountdata', operationId: 'getAccountData', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/media', operationId: 'listUserMedia', era: 'seed-003' },
  { method: 'DELETE', path: '/_synapse/admin/v1/users/{user_id}/media', operationId: 'deleteUserMedia', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v1/users/{user_id}/login', operationId: 'loginAsUser', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v2/users/{user_id}/devices', operationId: 'listDevices', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v2/users/{user_id}/delete_devices', operationId: 'deleteDevices', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v2/users/{user_id}/devices/{device_id}', operationId: 'getDevice', era: 'seed-003' },
  { method: 'PUT', path: '/_synapse/admin/v2/users/{user_id}/devices/{device_id}', operationId: 'updateDevice', era: 'seed-003' },
  { method: 'DELETE', path: '/_synapse/admin/v2/users/{user_id}/devices/{device_id}', operationId: 'deleteDevice', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/pushers', operationId: 'listPushers', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v1/users/{user_id}/shadow_ban', operationId: 'shadowBanUser', era: 'seed-003' },
  { method: 'DELETE', path: '/_synapse/admin/v1/users/{user_id}/shadow_ban', operationId: 'unshadowBanUser', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/override_ratelimit', operationId: 'getRatelimitOverride', era: 'seed-003' },
  { method: 'POST', path: '/_synapse/admin/v1/users/{user_id}/override_ratelimit', operationId: 'setRatelimitOverride', era: 'seed-003' },
  { method: 'DELETE', path: '/_synapse/admin/v1/users/{user_id}/override_ratelimit', operationId: 'deleteRatelimitOverride', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v1/username_available', operationId: 'checkUsernameAvailable', era: 'seed-003' },
  { method: 'GET', path: '/_synapse/admin/v3/users', operationId: 'listUsersV3', era: 'current' },
  { method: 'PUT', path: '/_synapse/admin/v1/suspend/{user_id}', operationId: 'suspendUser', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/memberships', operationId: 'listMemberships', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/sent_invite_count', operationId: 'getSentInviteCount', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/users/{user_id}/cumulative_joined_room_count', operationId: 'getCumulativeJoinedRoomCount', era: 'current' },
  { method: 'POST', path: '/_synapse/admin/v1/users/{user_id}/_allow_cross_signing_replacement_without_uia', operationId: 'allowCrossSigningReplacementWithoutUia', era: 'current' },
  { method: 'POST', path: '/_synapse/admin/v2/users/{user_id}/devices', operationId: 'createDevice', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/auth_providers/{provider}/users/{external_id}', operationId: 'getUserByExternalId', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/threepid/{medium}/users/{address}', operationId: 'getUserByThreepid', era: 'current' },
  { method: 'POST', path: '/_synapse/admin/v1/user/{user_id}/redact', operationId: 'redactUserEvents', era: 'current' },
  { method: 'GET', path: '/_synapse/admin/v1/user/redact_status/{redact_id}', operationId: 'getRedactionStatus', era: 'current' },
];
