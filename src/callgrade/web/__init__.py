"""The callgrade web application (Django): people, cycles, review, self-service and the standard.

It stores and shows what :mod:`callgrade.engine` computes and never re-implements a formula.
"""
