"""Pixels: face detection and anonymisation, plain functions on numpy images
so that photos, PDF pages and pictures in Word files can all use them."""
