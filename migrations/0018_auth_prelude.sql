-- Custom SQL migration file, put your code below! --
-- Custom migration (issue 18): the auth prelude of the request path. A request with a
-- bearer token sends this check in the same HTTP transaction as its first statement;
-- raising (SQLSTATE SP401) rolls back everything batched with it, so no statement of a
-- deleted or deactivated user's request takes effect, and the worker answers 401.
CREATE OR REPLACE FUNCTION sp_active_user(uid uuid) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  found_user json;
BEGIN
  SELECT row_to_json(u.*) INTO found_user FROM users u WHERE u.id = uid AND u.is_active;
  IF found_user IS NULL THEN
    RAISE EXCEPTION 'no active user' USING ERRCODE = 'SP401';
  END IF;
  RETURN found_user;
END
$$;
