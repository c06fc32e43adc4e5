"""The web view: Datasette (the optional extra `web`) over the monitor's database.

app.py builds and runs the server; plugin.py adds the SQL functions and the
snippet rendering; metadata.json holds titles, descriptions, facets and canned
queries. The views it shows are in ../views.sql.
"""
