set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 51057.5977
827088 37890.0414
17867008 17506.115
51475968 10788.6171
124439808 6312.73051
354823168 3101.47345
774030080 1507.88541
1557611200 1079.98273
EOD
$d1 << EOD
102714 3677.28009
827088 3360.58317
17867008 1868.53608
51475968 1669.51741
124439808 1263.40818
354823168 464.863653
774030080 292.312968
1557611200 346.215412
EOD
$d2 << EOD
102714 1620.094
827088 2256.71894
17867008 1165.95
51475968 696.330874
124439808 591.110382
354823168 294.761264
774030080 203.478227
1557611200 187.686404
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
