"""Simulated people and rooms, so sessions can be run and tested without anyone."""
