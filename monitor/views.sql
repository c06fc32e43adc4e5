-- SQL views that present stories and alerts as people read them: the web view
-- (monitor serve) shows them, and any SQLite client can query them.
-- views.ensure() creates them when a writable connection opens the database
-- and recreates them whenever this file changes: edit the views here, and
-- only here. Statements are separated by lines holding only ";".
-- actors/events are JSON arrays of watchlist ids (Datasette facets them as arrays),
-- written with a space after each comma so that a browser can wrap them.

create view story_view as
select s.headline,
       s.severity,
       s.sources,
       s.articles as reports,
       case when coalesce(s.actors, '') = '' then '[]'
            else '["' || replace(s.actors, ',', '", "') || '"]' end as actors,
       case when coalesce(s.events, '') = '' then '[]'
            else '["' || replace(s.events, ',', '", "') || '"]' end as events,
       s.languages,
       s.first_seen_at as first_seen,
       s.last_seen_at as last_seen,
       substr(s.first_seen_at, 1, 10) as day,
       -- The headline's own article when it has a link, else the story's first link.
       coalesce((select ar.url from articles ar where ar.story_id = s.id
                 and ar.title = s.headline and ar.url is not null
                 order by ar.first_seen_at, ar.id limit 1),
                (select ar.url from articles ar where ar.story_id = s.id
                 and ar.url is not null order by ar.first_seen_at, ar.id limit 1)) as link,
       s.id as story,
       s.severity_rank
from stories s
where s.severity is not null and s.merged_into is null
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
