"""The network's settings and folder: sources.toml's keys declared once and checked, and where every file goes.

keys.py declares every key (schema.py turns declarations into checks, the starter file and the
README's table; reference.py writes that table), load.py reads and checks sources.toml,
workspace.py names every path of the network's folder and scaffold.py writes a new one.
"""
