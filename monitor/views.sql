-- SQL views that present stories and alerts as people read them: the web view
-- (monitor serve) shows them, and any SQLite client can query them.
-- views.ensure() creates them when a writable connection opens the database
-- and recreates them whenever this file changes: edit the views here, and
-- only here. Statements are separated by lines holding only ";".
-- actors/events are JSON arrays of watchlist ids (Datasette facets them as arrays),
-- written with a space after each comma so that a browser can wrap them.

create view story_view as
with rep as (
  -- A story's representative alert: the most severe, then newest (as the digest).
  select a.story_id, a.article_id, row_number() over (
    partition by a.story_id order by a.severity_rank desc, a.first_seen_at desc, a.id) as rn
  from alerts a where a.current = 1
)
select ar.title as headline,
       s.severity,
       s.sources,
       s.articles as reports,
       (select '[' || coalesce(group_concat('"' || term_id || '"', ', '), '') || ']' from (
          select distinct t.term_id from alerts a join alert_terms t on t.alert_id = a.id
          where a.story_id = s.id and a.current = 1 and t.kind = 'actor' order by t.term_id))
         as actors,
       (select '[' || coalesce(group_concat('"' || term_id || '"', ', '), '') || ']' from (
          select distinct t.term_id from alerts a join alert_terms t on t.alert_id = a.id
          where a.story_id = s.id and a.current = 1 and t.kind = 'event' order by t.term_id))
         as events,
       s.first_seen_at as first_seen,
       s.last_seen_at as last_seen,
       substr(s.first_seen_at, 1, 10) as day,
       ar.url as link,
       s.id as story,
       s.severity_rank
from stories s
join rep on rep.story_id = s.id and rep.rn = 1
join articles ar on ar.id = rep.article_id
where s.severity is not null
;
create view alert_view as
select ar.title as headline,
       al.severity,
       ar.source,
       (select '[' || coalesce(group_concat('"' || term_id || '"', ', '), '') || ']' from (
          select term_id from alert_terms where alert_id = al.id and kind = 'actor'
          order by term_id)) as actors,
       (select '[' || coalesce(group_concat('"' || term_id || '"', ', '), '') || ']' from (
          select term_id from alert_terms where alert_id = al.id and kind = 'event'
          order by term_id)) as events,
       al.first_seen_at as first_seen,
       substr(al.first_seen_at, 1, 10) as day,
       ar.url as link,
       al.story_id as story,
       s.sources as story_sources,
       al.score,
       al.acked_at as acked,
       al.id as alert,
       al.severity_rank
from alerts al
join articles ar on ar.id = al.article_id
left join stories s on s.id = al.story_id
where al.current = 1
