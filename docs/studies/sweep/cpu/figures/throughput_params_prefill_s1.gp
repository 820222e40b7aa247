set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 32394.9084
827088 38957.6854
17867008 3720.8483
51475968 948.934375
124439808 562.493601
354823168 184.991022
774030080 81.7276997
1557611200 24.1669457
EOD
$d1 << EOD
102714 323261.168
827088 249279.965
17867008 8523.39088
51475968 3338.87314
124439808 1297.86013
354823168 405.086728
774030080 180.56827
1557611200 73.8429402
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
