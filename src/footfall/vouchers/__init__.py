"""Vouchers: the reward voucher export (issued, redeemed, expired) and its users."""
