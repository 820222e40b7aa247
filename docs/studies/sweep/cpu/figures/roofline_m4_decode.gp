set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 0.949342457 0.695895353 1.20278956
0.97 1.0449863 0.823634672 1.26633793
1.97 1.51753585 1.35977985 1.67529186
EOD
$d1 << EOD
0.03 1.04397303 0.989642487 1.09830358
1.03 1.07632105 1.02288001 1.1297621
2.03 1.35672659 1.301142 1.41231118
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
