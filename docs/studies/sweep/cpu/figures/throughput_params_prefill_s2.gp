set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 388016.475
827088 203707.603
17867008 8026.79835
51475968 1693.55714
124439808 796.535773
354823168 231.425686
774030080 102.13243
1557611200 49.1241833
EOD
$d1 << EOD
102714 422604.78
827088 377996.24
17867008 10651.1074
51475968 4634.86423
124439808 1395.97623
354823168 381.073913
774030080 178.978269
1557611200 79.3391824
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
