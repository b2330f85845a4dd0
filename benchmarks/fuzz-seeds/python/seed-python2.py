print 'hi'
import deepface
exec 'x = 1'
