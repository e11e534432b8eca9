-- Custom migration (issue 18): the API-key prelude of the request path. A request with an
-- X-API-Key sends this in the same HTTP transaction as its first statement once the key's
-- owner is known at the edge (the owner of a key hash never changes, so the worker caches
-- it); a cold key sends it alone first. It checks the key like the contract says (hash
-- matches, active, not expired, its user exists and is active; the user's plan has API
-- access; the key has the scope the method needs). A failure raises, which rolls back
-- everything batched with it:
--   SP401            no such usable key for this owner (or the owner is gone)
--   SP403 'plan'     the owner's plan has no API access
--   SP403 'scope'    the key lacks the needed scope
-- p_owner NULL (the cold path) accepts whichever user owns the key.
CREATE OR REPLACE FUNCTION sp_api_key_user(p_hash text, p_owner uuid, p_needed text, p_api_plans text[]) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  found_key uuid;
  found_scopes varchar[];
  found_plan text;
  found_user json;
BEGIN
  SELECT k.id, k.scopes, u.plan::text, row_to_json(u.*)
    INTO found_key, found_scopes, found_plan, found_user
    FROM api_keys k JOIN users u ON u.id = k.user_id
    WHERE k.key_hash = p_hash
      AND (p_owner IS NULL OR k.user_id = p_owner)
      AND k.is_active AND (k.expires_at IS NULL OR k.expires_at > now())
      AND u.is_active;
  IF found_key IS NULL THEN
    RAISE EXCEPTION 'no usable api key' USING ERRCODE = 'SP401';
  END IF;
  IF NOT (found_plan = ANY (p_api_plans)) THEN
    RAISE EXCEPTION 'plan' USING ERRCODE = 'SP403';
  END IF;
  IF NOT (p_needed = ANY (found_scopes::text[])) THEN
    RAISE EXCEPTION 'scope' USING ERRCODE = 'SP403';
  END IF;
  RETURN json_build_object('user', found_user, 'scopes', found_scopes);
END
$$;
--> statement-breakpoint
-- The use of a key that sp_api_key_user accepted, sent last in the same transaction (after
-- the route's statements): `last_used_at` stamped and the day's count bumped. Both take a
-- row lock that every request with the same key needs; taken last, it is held only until
-- the commit right after, so a key's concurrent requests do not queue behind each other's
-- route statements.
CREATE OR REPLACE FUNCTION sp_api_key_used(p_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  used_key uuid;
BEGIN
  UPDATE api_keys SET last_used_at = now() WHERE key_hash = p_hash RETURNING id INTO used_key;
  IF used_key IS NOT NULL THEN
    INSERT INTO api_key_usage (key_id, day, requests)
      VALUES (used_key, (now() AT TIME ZONE 'UTC')::date, 1)
      ON CONFLICT (key_id, day) DO UPDATE SET requests = api_key_usage.requests + 1;
  END IF;
END
$$;
