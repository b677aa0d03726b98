"""COVID-19 case time series (OWID or JHU CSSE exports) for the dashboard's cases-over-time view."""
