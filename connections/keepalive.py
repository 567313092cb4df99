"""Keep-alive: the single-flight token refresh and access-token helpers (being written).

Interface (kept stable for views and tasks):
- ``next_refresh_time(last_used: datetime) -> datetime``
- ``refresh_connection(connection_id: int, *, force: bool = False, actor=None) -> RefreshResult``
- ``get_access_token(connection, force_refresh: bool = False) -> tuple[str, str]``
  (access token, instance URL)
- ``call_salesforce(connection, call)``: ``call(instance_url, access_token)``; on
  SessionExpired refreshes once and retries once.
"""
